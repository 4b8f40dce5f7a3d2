/** Reads the one file of a multipart upload, refusing it early when it is too big. */
import type { FastifyRequest } from 'fastify';
import { errors } from '../../../../core/http/errors.ts';
import type { Upload } from '../services/attachments.ts';

export async function readUpload(request: FastifyRequest, maxBytes: number): Promise<Upload> {
  if (!request.isMultipart()) {
    throw errors.badRequest('MULTIPART_REQUIRED', 'Send the file as multipart/form-data in a part named "file".', 'file');
  }
  const part = await request.file({ limits: { fileSize: maxBytes, files: 1, fields: 0, parts: 1 } });
  if (!part || part.fieldname !== 'file') throw errors.badRequest('FILE_REQUIRED', 'Send the file in a part named "file".', 'file');
  // Throws 413 FILE_TOO_LARGE as soon as the stream passes the limit.
  const data = await part.toBuffer();
  return { filename: part.filename || 'file', data };
}
