/**
 * Reads a pack upload: a multipart body with the zip in the part `file` and, optionally, the pack
 * name in the part `name`. The zip is counted while it streams in and refused (ZipTooLargeError) as
 * soon as it passes the limit, so an oversized upload is never buffered whole.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { readStreamWithLimit, ZipTooLargeError } from '../pack/stream-limit.ts';
import { packErrors } from '../errors.ts';
import { MAX_PACK_NAME_LENGTH } from '../limits.ts';

export interface PackUpload {
  /** As sent; null when the uploader sent no name part. */
  name: string | null;
  filename: string;
  zip: Buffer;
}

// The multipart plugin's limit errors: a request that sends more than one file and a name.
const SHAPE_ERRORS = new Set(['FST_PARTS_LIMIT', 'FST_FILES_LIMIT', 'FST_FIELDS_LIMIT', 'FST_PROTO_VIOLATION', 'FST_INVALID_MULTIPART_CONTENT_TYPE']);

export async function readPackUpload(request: FastifyRequest, maxBytes: number): Promise<PackUpload> {
  if (!request.isMultipart()) throw packErrors.multipartRequired();
  let name: string | null = null;
  let file: { filename: string; zip: Buffer } | null = null;
  try {
    // One byte over our own limit, so that our reader (not busboy's silent truncation) sees it.
    const parts = request.parts({ limits: { fileSize: maxBytes + 1, files: 1, fields: 1, parts: 2, fieldSize: MAX_PACK_NAME_LENGTH * 4 + 16 } });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') throw packErrors.fileRequired();
        file = { filename: part.filename || 'pack.zip', zip: await readStreamWithLimit(part.file, maxBytes) };
        if (part.file.truncated) throw new ZipTooLargeError(maxBytes);
      } else if (part.fieldname === 'name') {
        if (part.valueTruncated) throw packErrors.nameInvalid();
        name = String(part.value);
      }
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new ZipTooLargeError(maxBytes);
    if (typeof code === 'string' && SHAPE_ERRORS.has(code)) throw packErrors.fileRequired();
    throw err;
  }
  if (!file) throw packErrors.fileRequired();
  return { name, ...file };
}

/**
 * After refusing an upload early: reads and drops the rest of its body, so a client still sending
 * gets to read the answer instead of stalling on a connection nobody reads (Node does not drain a
 * body that was partly consumed). At most `maxBytes` are dropped; then the connection is cut.
 */
export function discardRest(raw: IncomingMessage, maxBytes: number): void {
  if (raw.readableEnded) return;
  let dropped = 0;
  raw.unpipe();
  raw.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > maxBytes) raw.socket.destroy();
  });
  raw.resume();
}
