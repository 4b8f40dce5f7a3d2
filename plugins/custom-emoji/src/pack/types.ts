/** Shapes returned by `validatePack`. Error and warning codes are stable: the UI and API clients key on them. */
import type { LocalizedText } from '../../../../core/i18n.ts';

export type PackErrorCode =
  // The pack as a whole
  | 'NOT_A_ZIP'
  | 'ZIP_TOO_LARGE'
  | 'CORRUPT_ZIP'
  | 'TOO_MANY_ENTRIES'
  | 'EMPTY_PACK'
  // One entry of the pack
  | 'UNSAFE_PATH'
  | 'SYMLINK_ENTRY'
  | 'NESTED_ZIP'
  | 'UNSUPPORTED_ZIP_FEATURE'
  | 'UNSUPPORTED_TYPE'
  | 'TYPE_MISMATCH'
  | 'IMAGE_TOO_LARGE'
  | 'IMAGE_DIMENSIONS_TOO_LARGE'
  | 'ZIP_BOMB'
  | 'CORRUPT_IMAGE'
  | 'INVALID_NAME'
  | 'DUPLICATE_NAME';

export type PackWarningCode = 'NOT_SUGGESTED_SIZE' | 'NAME_SANITISED';

export type EmojiFormat = 'png' | 'jpeg' | 'gif';

export interface PackError {
  /** Path of the offending entry inside the zip, or null when the pack as a whole is refused. */
  file: string | null;
  code: PackErrorCode;
  message: LocalizedText;
}

export interface PackEmoji {
  /** File base name without extension, sanitised (see `emojiName`). */
  name: string;
  /** Path of the entry inside the zip. */
  sourcePath: string;
  format: EmojiFormat;
  width: number;
  /** Height of one frame. */
  height: number;
  animated: boolean;
  /** The original image bytes, unchanged (so animated GIFs stay animated). */
  bytes: Buffer;
  /** WebP, longest side at most 64 px; animated when the source is. */
  thumbnail: Buffer;
  warnings: PackWarningCode[];
}

/** A pack with any invalid entry is refused as a whole: either every emoji, or every error. */
export type PackResult = { ok: true; emoji: PackEmoji[] } | { ok: false; errors: PackError[] };
