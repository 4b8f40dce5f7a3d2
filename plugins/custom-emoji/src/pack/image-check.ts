/**
 * Checks that bytes really are the image their name promises: magic bytes first, then sharp reads
 * the header (dimensions, frames) without decoding, and only an image within the pixel limits is
 * decoded in full, which also yields the picker thumbnail.
 */
import type SharpFactory from 'sharp';

// Loaded on the first pack upload, not at start-up (sharp's native library is ~0.3 s to load).
let sharpLoaded: Promise<typeof SharpFactory> | undefined;
const loadSharp = () => (sharpLoaded ??= import('sharp').then((m) => m.default));
import { THUMBNAIL_SIDE_PX, type PackLimits } from './limits.ts';
import type { EmojiFormat } from './types.ts';

export type ImageCheck =
  | { ok: true; width: number; height: number; animated: boolean; thumbnail: Buffer }
  | { ok: false; code: 'NESTED_ZIP' | 'TYPE_MISMATCH' | 'CORRUPT_IMAGE' | 'IMAGE_DIMENSIONS_TOO_LARGE' };

interface ImageHeader {
  format: string;
  width: number;
  height: number;
  frames: number;
}

const MAGIC: ReadonlyArray<{ kind: EmojiFormat | 'archive'; bytes: Buffer }> = [
  { kind: 'png', bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { kind: 'jpeg', bytes: Buffer.from([0xff, 0xd8, 0xff]) },
  { kind: 'gif', bytes: Buffer.from('GIF87a', 'latin1') },
  { kind: 'gif', bytes: Buffer.from('GIF89a', 'latin1') },
  { kind: 'archive', bytes: Buffer.from([0x50, 0x4b, 0x03, 0x04]) },
  { kind: 'archive', bytes: Buffer.from([0x50, 0x4b, 0x05, 0x06]) },
];

/** What the leading bytes say the content is; null for anything else (SVG, executables, ...). */
export function sniffFormat(bytes: Buffer): EmojiFormat | 'archive' | null {
  return MAGIC.find((magic) => bytes.subarray(0, magic.bytes.length).equals(magic.bytes))?.kind ?? null;
}

export async function checkImage(bytes: Buffer, expected: EmojiFormat, limits: PackLimits): Promise<ImageCheck> {
  const sniffed = sniffFormat(bytes);
  if (sniffed === 'archive') return { ok: false, code: 'NESTED_ZIP' };
  if (sniffed !== expected) return { ok: false, code: 'TYPE_MISMATCH' };

  const header = await readHeader(bytes);
  if (!header) return { ok: false, code: 'CORRUPT_IMAGE' };
  if (header.format !== expected) return { ok: false, code: 'TYPE_MISMATCH' };
  const { width, height, frames } = header;
  if (
    width > limits.maxImageSide ||
    height > limits.maxImageSide ||
    width * height * frames > limits.maxDecodedPixels
  ) {
    return { ok: false, code: 'IMAGE_DIMENSIONS_TOO_LARGE' };
  }

  const animated = frames > 1;
  const thumbnail = await decodeToThumbnail(bytes, animated, limits.maxDecodedPixels);
  if (!thumbnail) return { ok: false, code: 'CORRUPT_IMAGE' };
  return { ok: true, width, height, animated, thumbnail };
}

/**
 * Header only: sharp's `metadata()` does not decode pixels, so the pixel limit is lifted here to
 * learn the real dimensions of a pixel flood and refuse it by name. Without `animated`, `height`
 * is that of one frame and `pages` counts the frames. Dimensions are as displayed (EXIF orientation).
 */
async function readHeader(bytes: Buffer): Promise<ImageHeader | null> {
  const sharp = await loadSharp();
  try {
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    const { width, height } = meta.autoOrient;
    return { format: meta.format, width, height, frames: meta.pages ?? 1 };
  } catch {
    return null;
  }
}

/**
 * Decodes every frame (that is the check that the image is sound) into a WebP thumbnail. The pixel
 * limit stays on in case the header lied; `failOn: 'warning'` is sharp's advice for untrusted input.
 */
async function decodeToThumbnail(bytes: Buffer, animated: boolean, maxPixels: number): Promise<Buffer | null> {
  const sharp = await loadSharp();
  try {
    return await sharp(bytes, { animated, limitInputPixels: maxPixels, failOn: 'warning', autoOrient: true })
      .resize({ width: THUMBNAIL_SIDE_PX, height: THUMBNAIL_SIDE_PX, fit: 'inside', withoutEnlargement: true })
      .webp()
      .toBuffer();
  } catch {
    return null;
  }
}
