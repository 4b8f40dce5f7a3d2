/**
 * Reads an upload stream (e.g. a multipart file) into memory, refusing it the moment it passes the
 * pack size limit instead of after buffering all of it.
 */
import type { Readable } from 'node:stream';
import { DEFAULT_PACK_LIMITS, MAX_ZIP_BYTES } from './limits.ts';
import { errorMessage } from './messages.ts';
import type { PackError } from './types.ts';

export class ZipTooLargeError extends Error {
  readonly code = 'ZIP_TOO_LARGE';
  /** Ready to return as `{ ok: false, errors: [error.packError] }`. */
  readonly packError: PackError;

  constructor(maxBytes: number) {
    const message = errorMessage('ZIP_TOO_LARGE', { limits: { ...DEFAULT_PACK_LIMITS, maxZipBytes: maxBytes } });
    super(message.en);
    this.name = 'ZipTooLargeError';
    this.packError = { file: null, code: 'ZIP_TOO_LARGE', message };
  }
}

/**
 * Resolves with everything the stream delivered, or rejects with `ZipTooLargeError` as soon as more
 * than `maxBytes` have arrived. Leaving the loop early destroys the stream, so nothing more is read.
 */
export async function readStreamWithLimit(stream: Readable, maxBytes: number = MAX_ZIP_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of stream) {
    const buffer: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    received += buffer.length;
    if (received > maxBytes) throw new ZipTooLargeError(maxBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, received);
}
