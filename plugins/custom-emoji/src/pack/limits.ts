/**
 * Limits for an uploaded emoji pack. The first group is the product contract; the second group
 * bounds the work a hostile archive can cause and is not visible to well-behaved uploads.
 */

const KB = 1024;
const MB = 1024 * KB;

/** Largest accepted pack (the uploaded .zip itself). */
export const MAX_ZIP_BYTES = 15 * MB;
/** Emoji images per pack; ignored entries (folders, `__MACOSX/`, dotfiles) are not counted. */
export const MAX_EMOJI_PER_PACK = 50;
/** PNG and JPEG images, in bytes as stored in the pack. */
export const MAX_STATIC_IMAGE_BYTES = 50 * KB;
/** GIF images (animated or not), in bytes. */
export const MAX_GIF_BYTES = 100 * KB;
/** Suggested emoji size in pixels; other sizes are accepted with a warning. */
export const SUGGESTED_SIDE_PX = 200;

/** Widest / tallest accepted image (per frame); refused from the header, before decoding. */
export const MAX_IMAGE_SIDE_PX = 4096;
/** Pixels decoded for one image, all frames together (sharp's `limitInputPixels`). */
export const MAX_DECODED_PIXELS = MAX_IMAGE_SIDE_PX * MAX_IMAGE_SIDE_PX;
/** Central-directory records read at all, ignored ones included (50 images + macOS `._` twins + folders). */
export const MAX_ZIP_RECORDS = 256;
/** Bytes inflated for one pack: every emoji at the largest per-image size. */
export const MAX_TOTAL_INFLATED_BYTES = MAX_EMOJI_PER_PACK * MAX_GIF_BYTES;
/**
 * An oversized entry that claims more than `MAX_TOTAL_INFLATED_BYTES` and compresses better than
 * this is reported as a zip bomb rather than a too-large image: image formats are already
 * compressed, so real images deflate about 1:1.
 */
export const MAX_COMPRESSION_RATIO = 100;
/** Emoji names are cut to this many characters. */
export const MAX_NAME_LENGTH = 32;
/** Longest side of the picker thumbnail. */
export const THUMBNAIL_SIDE_PX = 64;

/** The limits `validatePack` enforces; callers may tighten them (e.g. per tenant plan). */
export interface PackLimits {
  maxZipBytes: number;
  maxEmoji: number;
  maxStaticImageBytes: number;
  maxGifBytes: number;
  maxImageSide: number;
  maxDecodedPixels: number;
  maxZipRecords: number;
  maxTotalInflatedBytes: number;
  maxCompressionRatio: number;
}

export const DEFAULT_PACK_LIMITS: Readonly<PackLimits> = Object.freeze({
  maxZipBytes: MAX_ZIP_BYTES,
  maxEmoji: MAX_EMOJI_PER_PACK,
  maxStaticImageBytes: MAX_STATIC_IMAGE_BYTES,
  maxGifBytes: MAX_GIF_BYTES,
  maxImageSide: MAX_IMAGE_SIDE_PX,
  maxDecodedPixels: MAX_DECODED_PIXELS,
  maxZipRecords: MAX_ZIP_RECORDS,
  maxTotalInflatedBytes: MAX_TOTAL_INFLATED_BYTES,
  maxCompressionRatio: MAX_COMPRESSION_RATIO,
});
