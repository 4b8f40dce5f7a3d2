/**
 * Validates an uploaded emoji pack, entirely in memory. A pack with any invalid entry is refused
 * as a whole; every rejected file is reported so the uploader can fix them all at once.
 *
 * Work is bounded before it is done: the entry count is checked before any record is parsed, every
 * declared size before anything is inflated, inflation stops one byte past the declared size, and
 * image dimensions are read from the header before any pixel is decoded.
 */
import { checkImage } from './image-check.ts';
import { emojiName, formatFromPath, isIgnoredPath, isUnsafePath } from './entry-path.ts';
import { DEFAULT_PACK_LIMITS, SUGGESTED_SIDE_PX, type PackLimits } from './limits.ts';
import { errorMessage, type MessageContext } from './messages.ts';
import type { EmojiFormat, PackEmoji, PackError, PackErrorCode, PackResult, PackWarningCode } from './types.ts';
import {
  extractEntry,
  isDirectory,
  isSymlink,
  readZipDirectory,
  usesUnsupportedFeature,
  type ZipDirectory,
  type ZipRecord,
} from './zip-reader.ts';

export type * from './types.ts';
export { WARNING_TEXT } from './messages.ts';

export interface ValidatePackOptions {
  /** Overrides of `DEFAULT_PACK_LIMITS`. */
  limits?: Partial<PackLimits>;
}

/** An entry that passed every check that needs no inflating. */
interface Candidate {
  record: ZipRecord;
  format: EmojiFormat;
  name: string;
  nameSanitised: boolean;
}

type Screened = { ok: true; candidate: Candidate } | { ok: false; error: PackError };

export async function validatePack(zip: Buffer, opts: ValidatePackOptions = {}): Promise<PackResult> {
  const limits: PackLimits = { ...DEFAULT_PACK_LIMITS, ...opts.limits };
  const packError = (code: PackErrorCode): PackError => ({ file: null, code, message: errorMessage(code, { limits }) });

  if (zip.length > limits.maxZipBytes) return refuse([packError('ZIP_TOO_LARGE')]);
  const read = readZipDirectory(zip, limits.maxZipRecords);
  if (!read.ok) return refuse([packError(read.code)]);

  const { files, errors } = selectFiles(read.directory.records, limits);
  if (files.length > limits.maxEmoji) return refuse([...errors, packError('TOO_MANY_ENTRIES')]);
  if (files.length === 0 && errors.length === 0) return refuse([packError('EMPTY_PACK')]);

  const candidates: Candidate[] = [];
  const seenNames = new Set<string>();
  for (const record of files) {
    const screened = screenEntry(record, limits, seenNames);
    if (screened.ok) candidates.push(screened.candidate);
    else errors.push(screened.error);
  }

  const emoji = await decodeCandidates(zip, read.directory, candidates, limits, errors);
  return errors.length > 0 ? refuse(errors) : { ok: true, emoji };
}

function refuse(errors: PackError[]): PackResult {
  return { ok: false, errors };
}

function entryError(record: ZipRecord, code: PackErrorCode, ctx: MessageContext): PackError {
  return { file: record.name, code, message: errorMessage(code, ctx) };
}

/** Drops folders and OS junk; unsafe paths and symlinks are errors whatever they are called. */
function selectFiles(records: ZipRecord[], limits: PackLimits): { files: ZipRecord[]; errors: PackError[] } {
  const files: ZipRecord[] = [];
  const errors: PackError[] = [];
  for (const record of records) {
    if (isUnsafePath(record.name)) errors.push(entryError(record, 'UNSAFE_PATH', { limits }));
    else if (isSymlink(record)) errors.push(entryError(record, 'SYMLINK_ENTRY', { limits }));
    else if (!isDirectory(record) && !isIgnoredPath(record.name)) files.push(record);
  }
  return { files, errors };
}

/** Checks from the central directory alone: type by name, zip features, declared size, emoji name. */
function screenEntry(record: ZipRecord, limits: PackLimits, seenNames: Set<string>): Screened {
  const fail = (code: PackErrorCode, ctx: Partial<MessageContext> = {}): Screened => ({
    ok: false,
    error: entryError(record, code, { limits, ...ctx }),
  });

  const format = formatFromPath(record.name);
  if (format === 'archive') return fail('NESTED_ZIP');
  if (format === null) return fail('UNSUPPORTED_TYPE');
  if (usesUnsupportedFeature(record)) return fail('UNSUPPORTED_ZIP_FEATURE');
  if (record.size > maxBytes(format, limits)) {
    return fail(claimsBombSize(record, limits) ? 'ZIP_BOMB' : 'IMAGE_TOO_LARGE', { format });
  }

  const { name, sanitised } = emojiName(record.name);
  if (name === '') return fail('INVALID_NAME');
  if (seenNames.has(name)) return fail('DUPLICATE_NAME', { name });
  seenNames.add(name);
  return { ok: true, candidate: { record, format, name, nameSanitised: sanitised } };
}

/**
 * Either way the entry is refused unread; this only picks the honest message. A bomb claims more
 * than the whole pack may inflate to and compresses far better than images do; a too-large photo
 * or an uncompressed PNG does not do both.
 */
function claimsBombSize(record: ZipRecord, limits: PackLimits): boolean {
  return record.size > limits.maxTotalInflatedBytes && record.size > record.compressedSize * limits.maxCompressionRatio;
}

function maxBytes(format: EmojiFormat, limits: PackLimits): number {
  return format === 'gif' ? limits.maxGifBytes : limits.maxStaticImageBytes;
}

/** One entry at a time, so at most one image is ever being inflated or decoded. */
async function decodeCandidates(
  zip: Buffer,
  directory: ZipDirectory,
  candidates: Candidate[],
  limits: PackLimits,
  errors: PackError[],
): Promise<PackEmoji[]> {
  const emoji: PackEmoji[] = [];
  let inflatedTotal = 0;
  for (const candidate of candidates) {
    const { record, format } = candidate;
    const fail = (code: PackErrorCode) => errors.push(entryError(record, code, { limits, format }));

    if (inflatedTotal + record.size > limits.maxTotalInflatedBytes) {
      fail('ZIP_BOMB');
      continue;
    }
    const extracted = extractEntry(zip, record, directory.dataLimit);
    if (!extracted.ok) {
      fail(extracted.code);
      continue;
    }
    inflatedTotal += extracted.data.length;

    const image = await checkImage(extracted.data, format, limits);
    if (!image.ok) {
      fail(image.code);
      continue;
    }
    emoji.push({
      name: candidate.name,
      sourcePath: record.name,
      format,
      width: image.width,
      height: image.height,
      animated: image.animated,
      bytes: extracted.data,
      thumbnail: image.thumbnail,
      warnings: warningsFor(candidate, image),
    });
  }
  return emoji;
}

function warningsFor(candidate: Candidate, size: { width: number; height: number }): PackWarningCode[] {
  const warnings: PackWarningCode[] = [];
  if (size.width !== SUGGESTED_SIDE_PX || size.height !== SUGGESTED_SIDE_PX) warnings.push('NOT_SUGGESTED_SIZE');
  if (candidate.nameSanitised) warnings.push('NAME_SANITISED');
  return warnings;
}
