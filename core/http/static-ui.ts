/**
 * Serves the console built into `ui/dist/` by `ui/vite.config.ts`:
 *   `/`, `/console`            redirect to `/console/`
 *   `/console/*`               the console page for every client route (revalidated on each load)
 *   `/ui/console/assets/*`     hashed scripts, styles and chunks (cached for a year)
 *   `/ui/plugins/<id>/*`       a plugin's console module, only to signed-in members whose tenant
 *                              has the plugin enabled (404 PLUGIN_DISABLED otherwise)
 * Without a build, `/console/` answers 503 with a page saying to run `npm run build`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { KernelServices } from '../plugin-host/context.ts';
import { errors } from './errors.ts';
import { pluginDisabled } from './access.ts';

export const HASHED_CACHE = 'public, max-age=31536000, immutable';
const PAGE_CACHE = 'no-cache';
const PLUGIN_CACHE = 'private, no-cache';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt']);

interface Prepared {
  mtimeMs: number;
  size: number;
  type: string;
  body: Buffer;
  gzip: Buffer | null;
  etag: string;
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley console not built</title>
<style>body{font-family:system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;background:#f6f7f9;color:#1d2330;display:flex;min-height:100vh;margin:0;align-items:center;justify-content:center}
main{background:#fff;border:1px solid #e3e6eb;border-radius:8px;padding:28px 32px;max-width:520px}h1{font-size:20px;margin:0 0 12px}code{background:#f1f3f6;padding:2px 6px;border-radius:4px}p{line-height:1.5}</style></head>
<body><main><h1>The console is not built yet</h1>
<p>Parley is running, but the web console has not been built. Run <code>npm run build</code> in the Parley folder, then reload this page.</p>
<p lang="zh-CN">控制台尚未构建。请在 Parley 目录中运行 <code>npm run build</code>，然后刷新本页。</p></main></body></html>`;

/** Resolves `relative` inside `root`, refusing escapes, dotfiles and odd characters. */
export function safeJoin(root: string, relative: string): string | null {
  if (!relative || relative.length > 300 || /[\0\\]/.test(relative)) return null;
  const parts = relative.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.startsWith('.'))) return null;
  const full = path.resolve(root, ...parts);
  return full.startsWith(root + path.sep) ? full : null;
}

export function staticUi(k: KernelServices, distDir: string) {
  const consoleDir = path.join(distDir, 'console');
  const assetsDir = path.join(consoleDir, 'assets');
  const pluginsDir = path.join(distDir, 'plugins');
  // Keyed by path and modification time, so a rebuild is picked up without a restart.
  const cache = new Map<string, Prepared>();

  async function prepare(full: string): Promise<Prepared | null> {
    const stat = await fs.stat(full).catch(() => null);
    if (!stat?.isFile()) return null;
    const hit = cache.get(full);
    if (hit && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size) return hit;
    const ext = path.extname(full).toLowerCase();
    const body = await fs.readFile(full);
    const prepared: Prepared = {
      mtimeMs: stat.mtimeMs,
      size: stat.size,
      type: TYPES[ext] ?? 'application/octet-stream',
      body,
      gzip: COMPRESSIBLE.has(ext) && body.length > 1024 ? zlib.gzipSync(body, { level: 6 }) : null,
      etag: `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    };
    cache.set(full, prepared);
    return prepared;
  }

  function send(request: FastifyRequest, reply: FastifyReply, file: Prepared, cacheControl: string) {
    reply
      .header('content-type', file.type)
      .header('cache-control', cacheControl)
      .header('etag', file.etag)
      .header('vary', 'Accept-Encoding')
      .header('x-content-type-options', 'nosniff');
    if (request.headers['if-none-match'] === file.etag) return reply.status(304).send();
    if (file.gzip && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
      return reply.header('content-encoding', 'gzip').send(file.gzip);
    }
    return reply.send(file.body);
  }

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const hide = { hide: true };

    app.get('/', { schema: { ...hide, summary: 'Redirects to the console' }, config: { permission: '@public' } }, async (_req, reply) =>
      reply.redirect('/console/', 302));
    app.get('/console', { schema: { ...hide, summary: 'Redirects to the console' }, config: { permission: '@public' } }, async (_req, reply) =>
      reply.redirect('/console/', 301));

    app.get('/console/*', {
      schema: { tags: ['console'], summary: 'The agent/admin console (every client route answers the console page)' },
      config: { permission: '@public' },
    }, async (request, reply) => {
      const page = await prepare(path.join(consoleDir, 'index.html'));
      reply.header('x-frame-options', 'SAMEORIGIN').header('referrer-policy', 'same-origin');
      if (!page) {
        return reply.status(503).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT_PAGE);
      }
      return send(request, reply, page, PAGE_CACHE);
    });

    app.get('/ui/console/assets/*', {
      schema: { ...hide, summary: 'Hashed console assets' },
      config: { permission: '@public' },
    }, async (request, reply) => {
      const full = safeJoin(assetsDir, (request.params as { '*': string })['*']);
      const file = full && (await prepare(full));
      if (!file) throw errors.notFound('UI_FILE_NOT_FOUND', 'No such console file.');
      return send(request, reply, file, HASHED_CACHE);
    });

    app.get('/ui/plugins/:id/*', {
      schema: {
        tags: ['console'],
        summary: 'A plugin\'s console module, for members of tenants that enabled the plugin',
        params: Type.Object({ id: Type.String({ pattern: '^[a-z][a-z0-9-]{1,39}$' }), '*': Type.String({ maxLength: 300 }) }),
      },
      config: { permission: '@member' },
    }, async (request, reply) => {
      const { id } = request.params;
      if (!(await k.pluginState.isEnabled(request.member().tenantId, id))) throw pluginDisabled(id);
      const full = safeJoin(path.join(pluginsDir, id), request.params['*']);
      const file = full && (await prepare(full));
      if (!file) throw errors.notFound('UI_FILE_NOT_FOUND', 'No such plugin UI file; was `npm run build` run after installing the plugin?');
      return send(request, reply, file, PLUGIN_CACHE);
    });
  };
}
