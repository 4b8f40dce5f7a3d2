/**
 * A deliberately small zip reader for untrusted uploads. It reads the central directory without
 * inflating anything, and inflates one entry at a time, never more than the entry declares, so a
 * lying header cannot make it produce more bytes than the caller agreed to.
 */
import zlib from 'node:zlib';

const LOCAL_HEADER_SIG = 0x04034b50;
const CENTRAL_HEADER_SIG = 0x02014b50;
const END_OF_CENTRAL_DIR_SIG = 0x06054b50;
const LOCAL_HEADER_LEN = 30;
const CENTRAL_HEADER_LEN = 46;
const END_OF_CENTRAL_DIR_LEN = 22;
const MAX_COMMENT_LEN = 0xffff;
/** A 32-bit field holding this means "see the ZIP64 extra field". */
const ZIP64_SENTINEL = 0xffffffff;

const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8_NAME = 0x0800;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;

const UNIX_FILE_TYPE_MASK = 0o170000;
const UNIX_SYMLINK = 0o120000;

export interface ZipRecord {
  /** Entry path as written in the archive, decoded. */
  name: string;
  rawName: Buffer;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  /** Declared uncompressed size; untrusted until `extractEntry` has checked it. */
  size: number;
  externalAttributes: number;
  localHeaderOffset: number;
}

export interface ZipDirectory {
  records: ZipRecord[];
  /** Entry data must end before this offset (where the central directory starts). */
  dataLimit: number;
}

export type DirectoryResult =
  | { ok: true; directory: ZipDirectory }
  | { ok: false; code: 'NOT_A_ZIP' | 'CORRUPT_ZIP' | 'TOO_MANY_ENTRIES' };

export type ExtractResult = { ok: true; data: Buffer } | { ok: false; code: 'CORRUPT_ZIP' | 'ZIP_BOMB' };

/** Reads the central directory; refuses more than `maxRecords` entries before parsing any of them. */
export function readZipDirectory(zip: Buffer, maxRecords: number): DirectoryResult {
  if (!startsLikeZip(zip)) return { ok: false, code: 'NOT_A_ZIP' };
  const eocd = findEndOfCentralDirectory(zip);
  if (eocd < 0) return { ok: false, code: 'CORRUPT_ZIP' };

  const diskNumber = zip.readUInt16LE(eocd + 4);
  const directoryDisk = zip.readUInt16LE(eocd + 6);
  const entriesOnDisk = zip.readUInt16LE(eocd + 8);
  const totalEntries = zip.readUInt16LE(eocd + 10);
  const directorySize = zip.readUInt32LE(eocd + 12);
  const directoryOffset = zip.readUInt32LE(eocd + 16);
  if (diskNumber !== 0 || directoryDisk !== 0 || entriesOnDisk !== totalEntries) {
    return { ok: false, code: 'CORRUPT_ZIP' };
  }
  if (totalEntries > maxRecords) return { ok: false, code: 'TOO_MANY_ENTRIES' };
  if (directoryOffset + directorySize > eocd) return { ok: false, code: 'CORRUPT_ZIP' };

  const records = readCentralRecords(zip.subarray(directoryOffset, directoryOffset + directorySize), totalEntries);
  if (!records) return { ok: false, code: 'CORRUPT_ZIP' };
  return { ok: true, directory: { records, dataLimit: directoryOffset } };
}

/**
 * A local file header first, or the end record of an empty archive. Anything else, self-extracting
 * archives and files with a zip appended included, is not a zip upload.
 */
function startsLikeZip(zip: Buffer): boolean {
  if (zip.length < END_OF_CENTRAL_DIR_LEN) return false;
  const sig = zip.readUInt32LE(0);
  return sig === LOCAL_HEADER_SIG || sig === END_OF_CENTRAL_DIR_SIG;
}

/** Scans back over a possible comment; a candidate only counts if its comment length reaches the end exactly. */
function findEndOfCentralDirectory(zip: Buffer): number {
  const last = zip.length - END_OF_CENTRAL_DIR_LEN;
  const first = Math.max(0, last - MAX_COMMENT_LEN);
  for (let i = last; i >= first; i--) {
    if (zip.readUInt32LE(i) !== END_OF_CENTRAL_DIR_SIG) continue;
    if (zip.readUInt16LE(i + 20) === zip.length - i - END_OF_CENTRAL_DIR_LEN) return i;
  }
  return -1;
}

function readCentralRecords(directory: Buffer, count: number): ZipRecord[] | null {
  const records: ZipRecord[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    if (pos + CENTRAL_HEADER_LEN > directory.length) return null;
    if (directory.readUInt32LE(pos) !== CENTRAL_HEADER_SIG) return null;
    const nameLength = directory.readUInt16LE(pos + 28);
    const extraLength = directory.readUInt16LE(pos + 30);
    const commentLength = directory.readUInt16LE(pos + 32);
    const nameStart = pos + CENTRAL_HEADER_LEN;
    const next = nameStart + nameLength + extraLength + commentLength;
    if (next > directory.length) return null;

    const flags = directory.readUInt16LE(pos + 8);
    // Copied so the records do not pin the whole upload in memory.
    const rawName = Buffer.from(directory.subarray(nameStart, nameStart + nameLength));
    records.push({
      name: decodeName(rawName, flags),
      rawName,
      flags,
      method: directory.readUInt16LE(pos + 10),
      crc32: directory.readUInt32LE(pos + 16),
      compressedSize: directory.readUInt32LE(pos + 20),
      size: directory.readUInt32LE(pos + 24),
      externalAttributes: directory.readUInt32LE(pos + 38),
      localHeaderOffset: directory.readUInt32LE(pos + 42),
    });
    pos = next;
  }
  return records;
}

/**
 * Names without the UTF-8 flag are often UTF-8 anyway (macOS, Linux); when they are not, they
 * come most often from Windows in a Chinese locale, which writes GBK (GB18030 is its superset).
 */
function decodeName(raw: Buffer, flags: number): string {
  if (flags & FLAG_UTF8_NAME) return raw.toString('utf8');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return new TextDecoder('gb18030').decode(raw);
  }
}

export function isDirectory(record: ZipRecord): boolean {
  return record.name.endsWith('/');
}

/** Unix tools store the file mode in the high 16 bits of the external attributes. */
export function isSymlink(record: ZipRecord): boolean {
  return ((record.externalAttributes >>> 16) & UNIX_FILE_TYPE_MASK) === UNIX_SYMLINK;
}

/** Encryption, ZIP64 and methods other than stored/deflate: never needed for a 15 MB pack of small images. */
export function usesUnsupportedFeature(record: ZipRecord): boolean {
  return (
    (record.flags & FLAG_ENCRYPTED) !== 0 ||
    (record.method !== METHOD_STORED && record.method !== METHOD_DEFLATED) ||
    record.size === ZIP64_SENTINEL ||
    record.compressedSize === ZIP64_SENTINEL ||
    record.localHeaderOffset === ZIP64_SENTINEL
  );
}

/**
 * Returns the entry's bytes, inflating at most `record.size` bytes (+1 to notice a lie). The caller
 * must have checked `record.size` against its own limits and `usesUnsupportedFeature` first.
 */
export function extractEntry(zip: Buffer, record: ZipRecord, dataLimit: number): ExtractResult {
  const compressed = locateData(zip, record, dataLimit);
  if (!compressed) return { ok: false, code: 'CORRUPT_ZIP' };
  const data =
    record.method === METHOD_STORED ? readStored(compressed, record) : inflateBounded(compressed, record.size);
  if (!data.ok) return data;
  if (zlib.crc32(data.data) !== record.crc32) return { ok: false, code: 'CORRUPT_ZIP' };
  return data;
}

/** The local header must agree with the central one, so no other reader could see a different entry. */
function locateData(zip: Buffer, record: ZipRecord, dataLimit: number): Buffer | null {
  const offset = record.localHeaderOffset;
  if (offset + LOCAL_HEADER_LEN > dataLimit) return null;
  if (zip.readUInt32LE(offset) !== LOCAL_HEADER_SIG) return null;
  if (zip.readUInt16LE(offset + 8) !== record.method) return null;
  const nameLength = zip.readUInt16LE(offset + 26);
  const extraLength = zip.readUInt16LE(offset + 28);
  const nameStart = offset + LOCAL_HEADER_LEN;
  if (!zip.subarray(nameStart, nameStart + nameLength).equals(record.rawName)) return null;
  const dataStart = nameStart + nameLength + extraLength;
  const dataEnd = dataStart + record.compressedSize;
  if (dataEnd > dataLimit) return null;
  return zip.subarray(dataStart, dataEnd);
}

function readStored(stored: Buffer, record: ZipRecord): ExtractResult {
  if (stored.length !== record.size) return { ok: false, code: 'CORRUPT_ZIP' };
  // A copy, so a kept image does not pin the whole upload in memory.
  return { ok: true, data: Buffer.from(stored) };
}

function inflateBounded(compressed: Buffer, declaredSize: number): ExtractResult {
  let data: Buffer;
  try {
    // zlib stops as soon as the output would pass the cap; inflating a bomb costs only the cap.
    data = zlib.inflateRawSync(compressed, { maxOutputLength: declaredSize + 1 });
  } catch (err) {
    const tooLarge = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    return { ok: false, code: tooLarge ? 'ZIP_BOMB' : 'CORRUPT_ZIP' };
  }
  if (data.length > declaredSize) return { ok: false, code: 'ZIP_BOMB' };
  if (data.length < declaredSize) return { ok: false, code: 'CORRUPT_ZIP' };
  return { ok: true, data };
}
