/** Admins manage the members of their own tenant. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { KernelServices } from '../plugin-host/context.ts';
import { IdParams, MemberSchema, Name } from '../http/schemas.ts';

const PERMISSION = 'settings.members';

export function memberRoutes(k: KernelServices) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/', { schema: { tags: ['members'], summary: 'List members', response: { 200: Type.Object({ items: Type.Array(MemberSchema) }) } }, config: { permission: PERMISSION } }, async (req) => ({
      items: await k.members.list(req.member().tenantId),
    }));
    app.post('/', {
      schema: {
        tags: ['members'],
        summary: 'Create a member (takes a seat)',
        body: Type.Object({ email: Type.String({ minLength: 3, maxLength: 254 }), name: Name(), password: Type.String({ minLength: 8, maxLength: 1024 }), roleKey: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 201: MemberSchema },
      },
      config: { permission: PERMISSION },
    }, async (req, reply) => {
      const m = req.member();
      await k.roles.assertRoleWithin(m.tenantId, m.grants, req.body.roleKey);
      reply.status(201);
      return k.members.create(m.tenantId, req.body);
    });
    app.patch('/:id', {
      schema: {
        tags: ['members'],
        summary: 'Change a member\'s name, role, password or disable them',
        params: IdParams,
        body: Type.Object({ name: Type.Optional(Name()), roleKey: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), disabled: Type.Optional(Type.Boolean()), password: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })) }),
        response: { 200: MemberSchema },
      },
      config: { permission: PERMISSION },
    }, async (req) => {
      const m = req.member();
      const target = await k.members.get(m.tenantId, req.params.id);
      // Changing someone holding more than you (or giving a bigger role) would be a way up.
      await k.roles.assertRoleWithin(m.tenantId, m.grants, target.role_key);
      if (req.body.roleKey !== undefined) await k.roles.assertRoleWithin(m.tenantId, m.grants, req.body.roleKey);
      const updated = await k.members.update(m.tenantId, req.params.id, req.body);
      // A disabled member, a new password or a new role takes effect on open sockets at once.
      await k.realtime.recheckMember(updated.id);
      return updated;
    });
  };
}
