/** API keys of a tenant, for server-to-server calls; the key itself is shown once. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { KernelServices } from '../plugin-host/context.ts';
import { IdParams, Name, Ok } from '../http/schemas.ts';

const PERMISSION = 'settings.api-keys';

export function apiKeyRoutes(k: KernelServices) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/', { schema: { tags: ['api-keys'], summary: 'List API keys' }, config: { permission: PERMISSION } }, async (req) => ({
      items: await k.auth.listApiKeys(req.member().tenantId),
    }));
    app.post('/', {
      schema: { tags: ['api-keys'], summary: 'Create an API key acting with a role', body: Type.Object({ name: Name(), roleKey: Type.String({ minLength: 1, maxLength: 64 }) }) },
      config: { permission: PERMISSION },
    }, async (req, reply) => {
      const m = req.member();
      await k.roles.assertRoleWithin(m.tenantId, m.grants, req.body.roleKey);
      reply.status(201);
      return k.auth.createApiKey(m.tenantId, m.apiKeyId ? null : m.memberId, req.body.name, req.body.roleKey);
    });
    app.delete('/:id', { schema: { tags: ['api-keys'], summary: 'Revoke an API key', params: IdParams, response: { 200: Ok } }, config: { permission: PERMISSION } }, async (req) => {
      await k.auth.revokeApiKey(req.member().tenantId, req.params.id);
      await k.realtime.recheckAll();
      return { ok: true };
    });
  };
}
