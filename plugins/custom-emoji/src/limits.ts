/** Limits of the plugin beyond one pack's contents (those are in `pack/limits.ts`). */
export { MAX_ZIP_BYTES, MAX_EMOJI_PER_PACK, MAX_STATIC_IMAGE_BYTES, MAX_GIF_BYTES, SUGGESTED_SIDE_PX } from './pack/limits.ts';

/** Packs per tenant (deleted packs do not count). */
export const MAX_PACKS = 5;
export const MAX_PACK_NAME_LENGTH = 40;
