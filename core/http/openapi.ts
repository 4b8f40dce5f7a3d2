/**
 * OpenAPI 3 from the route schemas, at `/openapi.json` with a browsable page at `/docs`. Each
 * operation carries `x-permission` (the node it needs, or `@member`, `@visitor`, `@operator`);
 * public ones declare `security: []`.
 */
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

export interface RouteInfo {
  method: string;
  url: string;
  permission?: string;
  pluginId?: string;
  /** Left out of /openapi.json (`schema.hide`). */
  hidden?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, with the permission it declares. */
    routeCatalogue: RouteInfo[];
  }
}

const securityFor = (permission: string | undefined) => {
  switch (permission) {
    case '@public':
      return [];
    case '@operator':
      return [{ operatorToken: [] }];
    case '@visitor':
      return [{ visitorToken: [] }];
    default:
      return [{ bearer: [] }, { sessionCookie: [] }];
  }
};

const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{*}');
const withoutTrailingSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  const catalogue: RouteInfo[] = [];
  app.decorate('routeCatalogue', catalogue);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // Read the config when asked: onRoute hooks of nested contexts (e.g. /docs) set it after this one runs.
      catalogue.push({
        method,
        url: route.url,
        get permission() { return route.config?.permission; },
        get pluginId() { return route.config?.pluginId; },
        get hidden() { return !!(route.schema as { hide?: boolean } | undefined)?.hide; },
      });
    }
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Parley API', version: '1', description: 'Multi-tenant customer service. Errors are `{statusCode, code, message, field?}`.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A session token from /api/auth/login or an API key (pk_…).' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'parley_session' },
          visitorToken: { type: 'http', scheme: 'bearer', description: 'A visitor token from /api/visitor/session.' },
          operatorToken: { type: 'http', scheme: 'bearer', description: 'The operator token (PARLEY_OPERATOR_TOKEN).' },
        },
      },
    },
    transformObject: (documentObject) => {
      const openapiObject = (documentObject as { openapiObject: Record<string, unknown> }).openapiObject;
      const doc = openapiObject as { paths?: Record<string, Record<string, Record<string, unknown>>> };
      // A route mounted at its prefix's root ('/api/members/') is documented without the trailing slash.
      const paths: Record<string, Record<string, Record<string, unknown>>> = {};
      for (const [p, ops] of Object.entries(doc.paths ?? {})) paths[withoutTrailingSlash(p)] = { ...paths[withoutTrailingSlash(p)], ...ops };
      doc.paths = paths;
      for (const info of catalogue) {
        const op = paths[withoutTrailingSlash(toOpenApiPath(info.url))]?.[info.method.toLowerCase()];
        if (!op) continue;
        op.security = securityFor(info.permission);
        if (info.permission !== '@public') op['x-permission'] = info.permission;
        if (info.pluginId) op['x-plugin'] = info.pluginId;
      }
      return openapiObject as never;
    },
  });

  app.get('/openapi.json', { schema: { hide: true }, config: { permission: '@public' } }, async () => app.swagger());
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), permission: '@public' };
    });
    await docs.register(swaggerUi, { routePrefix: '/docs' });
  });
}
