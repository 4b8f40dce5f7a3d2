/**
 * Serves the visitor widget built into `ui/dist/widget/` (see ui/widget/vite.config.ts):
 * `/widget.js`, the loader sites embed by a stable URL, so cached briefly and revalidated by ETag;
 * `/widget/chat-<hash>.js`, the chat bundles the loader imports on open, cached for a year;
 * `/widget/plugins/<id>.js`, plugins' widget modules (unhashed, so cached like the loader).
 * Host pages are on other origins: the loader imports the chat as a module, which needs CORS.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, errors } from './errors.ts';

export const LOADER_CACHE = 'public, max-age=300, stale-while-revalidate=86400';
export const HASHED_CACHE = 'public, max-age=31536000, immutable';
const CHAT_FILE = /^chat-[A-Za-z0-9_-]+\.js$/;
const PLUGIN_FILE = /^[a-z0-9][a-z0-9-]*\.js$/;

interface Prepared {
  mtimeMs: number;
  size: number;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

export function staticWidget(widgetDir: string) {
  // Keyed by file and its modification time, so a rebuild is picked up without a restart.
  const cache = new Map<string, Prepared>();

  async function prepare(file: string): Promise<Prepared | null> {
    const full = path.join(widgetDir, file);
    const stat = await fs.stat(full).catch(() => null);
    if (!stat?.isFile()) return null;
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size) return hit;
    const body = await fs.readFile(full);
    const prepared: Prepared = {
      mtimeMs: stat.mtimeMs,
      size: stat.size,
      body,
      gzip: zlib.gzipSync(body, { level: 9 }),
      etag: `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    };
    cache.set(file, prepared);
    return prepared;
  }

  function send(request: FastifyRequest, reply: FastifyReply, file: Prepared, cacheControl: string) {
    reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', cacheControl)
      .header('etag', file.etag)
      .header('vary', 'Accept-Encoding')
      .header('access-control-allow-origin', '*')
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('x-content-type-options', 'nosniff');
    if (request.headers['if-none-match'] === file.etag) return reply.status(304).send();
    if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
      return reply.header('content-encoding', 'gzip').send(file.gzip);
    }
    return reply.send(file.body);
  }

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/widget.js', {
      schema: { tags: ['widget'], summary: 'The visitor widget loader, embedded by sites with one <script> tag' },
      config: { permission: '@public' },
    }, async (request, reply) => {
      const file = await prepare('widget.js');
      if (!file) throw new AppError(404, 'WIDGET_NOT_BUILT', 'The visitor widget is not built; run `npm run build`.');
      return send(request, reply, file, LOADER_CACHE);
    });

    app.get('/widget/:file', {
      schema: {
        tags: ['widget'],
        summary: 'A chat bundle of the visitor widget (hashed name, immutable)',
        params: Type.Object({ file: Type.String({ maxLength: 100 }) }),
      },
      config: { permission: '@public' },
    }, async (request, reply) => {
      const name = request.params.file;
      const file = CHAT_FILE.test(name) ? await prepare(name) : null;
      if (!file) throw errors.notFound('WIDGET_FILE_NOT_FOUND', 'No such widget file.');
      return send(request, reply, file, HASHED_CACHE);
    });

    app.get('/widget/plugins/:file', {
      schema: {
        tags: ['widget'],
        summary: "A plugin's widget module (listed by GET /api/visitor/ui/:tenant)",
        params: Type.Object({ file: Type.String({ maxLength: 100 }) }),
      },
      config: { permission: '@public' },
    }, async (request, reply) => {
      const name = request.params.file;
      const file = PLUGIN_FILE.test(name) ? await prepare(`plugins/${name}`) : null;
      if (!file) throw errors.notFound('WIDGET_FILE_NOT_FOUND', 'No such widget file.');
      return send(request, reply, file, LOADER_CACHE);
    });
  };
}
