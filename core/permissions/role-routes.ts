/** The permission tree and the tenant's roles. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { KernelServices } from '../plugin-host/context.ts';
import { Name, Ok, RoleSchema } from '../http/schemas.ts';
import { KERNEL_OWNER } from '../hooks/hook-bus.ts';

const PERMISSION = 'settings.roles';
const KeyParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 64 }) });
const Grants = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000 });

export function roleRoutes(k: KernelServices) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/permissions', { schema: { tags: ['roles'], summary: 'The permission tree, with only the plugins enabled for this tenant' }, config: { permission: PERMISSION } }, async (req) => {
      const enabled = await k.pluginState.enabledSet(req.member().tenantId);
      return { tree: k.permissions.tree(new Set([KERNEL_OWNER, ...enabled])) };
    });
    app.get('/', { schema: { tags: ['roles'], summary: 'List roles', response: { 200: Type.Object({ items: Type.Array(RoleSchema) }) } }, config: { permission: PERMISSION } }, async (req) => ({
      items: await k.roles.list(req.member().tenantId),
    }));
    app.post('/', { schema: { tags: ['roles'], summary: 'Create a custom role', body: Type.Object({ name: Name(), grants: Grants }), response: { 201: RoleSchema } }, config: { permission: PERMISSION } }, async (req, reply) => {
      const m = req.member();
      reply.status(201);
      return k.roles.create(m.tenantId, req.body.name, req.body.grants, m.grants);
    });
    app.patch('/:key', { schema: { tags: ['roles'], summary: 'Rename a custom role or change its grants', params: KeyParams, body: Type.Object({ name: Type.Optional(Name()), grants: Type.Optional(Grants) }), response: { 200: RoleSchema } }, config: { permission: PERMISSION } }, async (req) => {
      const m = req.member();
      const role = await k.roles.update(m.tenantId, req.params.key, req.body, m.grants);
      await k.realtime.recheckAll();
      return role;
    });
    app.delete('/:key', { schema: { tags: ['roles'], summary: 'Delete a custom role no member uses', params: KeyParams, response: { 200: Ok } }, config: { permission: PERMISSION } }, async (req) => {
      await k.roles.remove(req.member().tenantId, req.params.key);
      return { ok: true };
    });
  };
}
