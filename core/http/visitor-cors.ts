/**
 * Cross-origin access for the routes visitors call from other sites: the widget runs inside the
 * host page, so its REST calls to Parley are cross-origin. Only routes a visitor may call
 * (`@public` and `@visitor`) answer CORS, with `*` and no credentials: the visitor token travels in
 * the Authorization header, which another site does not have, and no cookie is ever sent or read.
 */
import type { FastifyInstance } from 'fastify';

const OPEN_PERMISSIONS = new Set(['@public', '@visitor']);
const ALLOWED_HEADERS = 'authorization, content-type';

function patternOf(url: string): RegExp {
  const escaped = url.replace(/\/+$/, '').split('/').map((part) => {
    if (part === '*') return '.*';
    if (part.startsWith(':')) return '[^/]+';
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${escaped.join('/')}/?$`);
}

export function registerVisitorCors(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    if (request.headers.origin && OPEN_PERMISSIONS.has(request.routeOptions.config?.permission ?? '') && !reply.hasHeader('access-control-allow-origin')) {
      reply.header('access-control-allow-origin', '*');
    }
  });

  // Built on the first preflight: by then every route, the plugins' included, is registered.
  let open: Array<{ method: string; pattern: RegExp }> | undefined;
  const openRoutes = () =>
    (open ??= app.routeCatalogue
      .filter((r) => r.method !== 'OPTIONS' && OPEN_PERMISSIONS.has(r.permission ?? ''))
      .map((r) => ({ method: r.method, pattern: patternOf(r.url) })));

  app.options('/api/*', { schema: { hide: true }, config: { permission: '@public' } }, async (request, reply) => {
    const method = String(request.headers['access-control-request-method'] ?? '').toUpperCase();
    const path = request.url.split('?')[0]!;
    const methods = [...new Set(openRoutes().filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (!methods.includes(method)) {
      return reply.status(404).send({ statusCode: 404, code: 'CORS_NOT_ALLOWED', message: `${method || 'This request'} ${path} cannot be called from another site.` });
    }
    return reply
      .status(204)
      .header('access-control-allow-origin', '*')
      .header('access-control-allow-methods', methods.join(', '))
      .header('access-control-allow-headers', ALLOWED_HEADERS)
      .header('access-control-max-age', '600')
      .send();
  });
}
