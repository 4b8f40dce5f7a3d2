/** Visitors (widget and mobile SDKs) obtain a signed token scoped to one tenant. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { KernelServices } from '../plugin-host/context.ts';

export function visitorRoutes(k: KernelServices) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.post('/session', {
      schema: {
        tags: ['visitor'],
        summary: 'Start or resume a visitor; returns a visitor token',
        description: 'Send the token you already hold to resume the same visitor. `identity` (externalId plus HMAC-SHA256 of it with the tenant\'s identity secret (GET /api/tenant/identity-secret), base64url) identifies a known user of the site.',
        body: Type.Object({
          tenant: Type.String({ minLength: 1, maxLength: 64 }),
          token: Type.Optional(Type.String({ maxLength: 2048 })),
          name: Type.Optional(Type.String({ maxLength: 100 })),
          email: Type.Optional(Type.String({ maxLength: 254 })),
          identity: Type.Optional(Type.Object({ externalId: Type.String({ minLength: 1, maxLength: 200 }), signature: Type.String({ minLength: 1, maxLength: 200 }) })),
        }),
        response: { 200: Type.Object({ token: Type.String(), visitorId: Type.String(), tenantId: Type.String(), created: Type.Boolean() }) },
      },
      config: { permission: '@public', rateLimit: { max: 60, timeWindow: 60_000 } },
    }, async (request) => k.auth.visitorSession(request.body));

    app.get('/me', {
      schema: { tags: ['visitor'], summary: 'Who this visitor token belongs to', response: { 200: Type.Object({ visitorId: Type.String(), tenantId: Type.String() }) } },
      config: { permission: '@visitor' },
    }, async (request) => {
      const v = request.visitor();
      return { visitorId: v.visitorId, tenantId: v.tenantId };
    });
  };
}
