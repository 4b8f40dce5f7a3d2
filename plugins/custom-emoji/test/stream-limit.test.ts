import t from 'tap';
import { Readable } from 'node:stream';
import { MAX_ZIP_BYTES } from '../src/pack/limits.ts';
import { readStreamWithLimit, ZipTooLargeError } from '../src/pack/stream-limit.ts';

const CHUNK = 64 * 1024;

/** A byte stream of `total` bytes (Infinity for endless) that records how much it was asked for. */
class Upload extends Readable {
  produced = 0;
  constructor(private readonly total: number) {
    super();
  }
  override _read(): void {
    const size = Math.min(CHUNK, this.total - this.produced);
    if (size <= 0) {
      this.push(null);
      return;
    }
    this.produced += size;
    this.push(Buffer.alloc(size, 1));
  }
}

t.test('a stream of exactly 15 MB is read whole', async (t) => {
  const data = await readStreamWithLimit(new Upload(MAX_ZIP_BYTES));
  t.equal(data.length, MAX_ZIP_BYTES);
});

t.test('15 MB + 1 byte is refused with ZIP_TOO_LARGE', async (t) => {
  const error = await readStreamWithLimit(new Upload(MAX_ZIP_BYTES + 1)).catch((e: unknown) => e);
  t.ok(error instanceof ZipTooLargeError);
  if (!(error instanceof ZipTooLargeError)) return;
  t.equal(error.code, 'ZIP_TOO_LARGE');
  t.equal(error.packError.code, 'ZIP_TOO_LARGE');
  t.equal(error.packError.file, null);
  t.match(error.packError.message.en, /15 MB/);
  t.match(error.packError.message['zh-CN'], /15 MB/);
});

t.test('an endless upload is cut off while streaming, not after buffering it', async (t) => {
  const upload = new Upload(Infinity);
  const error = await readStreamWithLimit(upload).catch((e: unknown) => e);
  t.ok(error instanceof ZipTooLargeError);
  t.equal((error as ZipTooLargeError).code, 'ZIP_TOO_LARGE');
  // At most one chunk past the limit plus what the stream buffers ahead (its high-water mark).
  t.ok(upload.produced <= MAX_ZIP_BYTES + CHUNK + upload.readableHighWaterMark, `read ${upload.produced} bytes`);
  t.ok(upload.destroyed, 'the source stream is destroyed, so nothing more is read');
});

t.test('the limit can be set per call, and string chunks count as bytes', async (t) => {
  t.equal((await readStreamWithLimit(Readable.from(['ab', 'c']), 3)).toString(), 'abc');
  const error = await readStreamWithLimit(Readable.from(['ab', 'cd']), 3).catch((e: unknown) => e);
  t.equal((error as ZipTooLargeError).code, 'ZIP_TOO_LARGE');
});
