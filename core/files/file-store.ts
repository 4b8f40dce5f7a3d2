/**
 * Uploaded files, kept in PostgreSQL so every Parley node serves them without a shared disk.
 * Types come from the bytes (see sniff.ts); a caller names the types and size it accepts.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { FastifyReply } from 'fastify';
import { AppError, errors } from '../http/errors.ts';
import { sniff, IMAGE_TYPES, DOCUMENT_TYPES } from './sniff.ts';
import { isUuid } from '../http/ids.ts';

export interface StoredFile {
  id: string;
  filename: string;
  contentType: string;
  size: number;
}

export interface SaveFileInput {
  tenantId: string;
  filename: string;
  data: Buffer;
  /** Accepted content types (after sniffing); default: images and common documents. */
  allowedTypes?: string[];
  /** Default: the configured upload limit. */
  maxBytes?: number;
}

export const DEFAULT_ALLOWED_TYPES = [...IMAGE_TYPES, ...DOCUMENT_TYPES];

/** Keeps a file name printable and short; path parts and control characters go. */
export function cleanFilename(name: string, ext: string): string {
  const base = name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '').trim().slice(0, 150);
  return base || `file.${ext}`;
}

export class FileStore {
  constructor(
    private readonly knex: Knex,
    private readonly defaultMaxBytes: number,
  ) {}

  async save(owner: string, input: SaveFileInput, trx: Knex | Knex.Transaction = this.knex): Promise<StoredFile> {
    const maxBytes = input.maxBytes ?? this.defaultMaxBytes;
    if (input.data.length > maxBytes) throw new AppError(413, 'FILE_TOO_LARGE', `The file is larger than ${Math.floor(maxBytes / 1024)} KB.`);
    if (input.data.length === 0) throw errors.badRequest('FILE_EMPTY', 'The file is empty.', 'file');
    const type = sniff(input.data);
    const allowed = input.allowedTypes ?? DEFAULT_ALLOWED_TYPES;
    if (!type || !allowed.includes(type.contentType)) {
      throw new AppError(415, 'FILE_TYPE_NOT_ALLOWED', `This kind of file is not accepted${type ? ` (${type.contentType.split(';')[0]})` : ''}.`);
    }
    const filename = cleanFilename(input.filename, type.ext);
    const [row] = await trx('files')
      .insert({
        tenant_id: input.tenantId,
        owner,
        filename,
        content_type: type.contentType,
        size: input.data.length,
        sha256: crypto.createHash('sha256').update(input.data).digest('hex'),
        data: input.data,
      })
      .returning(['id']);
    return { id: (row as { id: string }).id, filename, contentType: type.contentType, size: input.data.length };
  }

  async get(tenantId: string, id: string): Promise<StoredFile & { data: Buffer }> {
    const row = isUuid(id) ? await this.knex('files').where({ tenant_id: tenantId, id }).first() : undefined;
    if (!row) throw errors.notFound('FILE_NOT_FOUND', 'No such file.');
    return { id: row.id, filename: row.filename, contentType: row.content_type, size: row.size, data: Buffer.from(row.data) };
  }

  async meta(tenantId: string, id: string): Promise<StoredFile> {
    const row = isUuid(id)
      ? await this.knex('files').where({ tenant_id: tenantId, id }).first('id', 'filename', 'content_type', 'size')
      : undefined;
    if (!row) throw errors.notFound('FILE_NOT_FOUND', 'No such file.');
    return { id: row.id, filename: row.filename, contentType: row.content_type, size: row.size };
  }

  /** Sends a file with headers that stop browsers from running or re-typing it. */
  async send(reply: FastifyReply, tenantId: string, id: string, opts: { download?: boolean; cacheSeconds?: number } = {}): Promise<FastifyReply> {
    const file = await this.get(tenantId, id);
    const inline = !opts.download && file.contentType.startsWith('image/');
    return reply
      .header('content-type', file.contentType)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
      .header('cache-control', `private, max-age=${opts.cacheSeconds ?? 3600}`)
      .send(file.data);
  }
}
