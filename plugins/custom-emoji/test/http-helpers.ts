/** Helpers for the plugin's HTTP tests: multipart bodies, pack uploads and storage counts. */
import crypto from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../../../test/helpers/app.ts';
import { buildZip, imageEntries } from './fixtures.ts';

export interface Part {
  name: string;
  value?: string;
  file?: { filename: string; data: Buffer; type?: string };
}

export function multipart(parts: Part[]): { payload: Buffer; contentType: string } {
  const boundary = `----parley${crypto.randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = part.file
      ? `form-data; name="${part.name}"; filename="${part.file.filename}"\r\ncontent-type: ${part.file.type ?? 'application/zip'}`
      : `form-data; name="${part.name}"`;
    chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: ${disposition}\r\n\r\n`), part.file ? part.file.data : Buffer.from(part.value ?? ''), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function uploadPack(app: TestApp, token: string, zip: Buffer, opts: { name?: string; filename?: string; language?: string } = {}): Promise<LightMyRequestResponse> {
  const parts: Part[] = [];
  if (opts.name !== undefined) parts.push({ name: 'name', value: opts.name });
  parts.push({ name: 'file', file: { filename: opts.filename ?? 'pack.zip', data: zip } });
  const { payload, contentType } = multipart(parts);
  return app.http.inject({
    method: 'POST',
    url: '/api/custom-emoji/packs',
    payload,
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType, ...(opts.language ? { 'accept-language': opts.language } : {}) },
  });
}

/** A valid pack of `count` distinct 200×200 PNGs. */
export async function validZip(count = 3): Promise<Buffer> {
  return buildZip(await imageEntries(count));
}

/** Everything the plugin may have stored: its rows and the kernel's file rows. */
export async function storage(app: TestApp): Promise<{ packs: number; emoji: number; files: number }> {
  const count = async (table: string) => Number((await app.db.knex(table).count({ n: '*' }).first())?.n ?? 0);
  return { packs: await count('custom_emoji_packs'), emoji: await count('custom_emoji_emoji'), files: await count('files') };
}
