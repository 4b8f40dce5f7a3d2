/** Skill groups (admin). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from './services.ts';
import { SkillGroupBody, SkillGroupPatch, Uuid } from '../schemas.ts';
import { P } from '../access.ts';

const tags = ['conversations: skill groups'];
const Params = Type.Object({ id: Uuid });

export function adminRoutes(s: Services) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/skill-groups', { schema: { tags, summary: 'Skill groups and their agents' }, config: { permission: P.workbench } }, async (req) =>
      ({ skillGroups: await s.skillGroups.list(req.member().tenantId) }));

    app.post('/skill-groups', { schema: { tags, summary: 'Create a skill group', body: SkillGroupBody }, config: { permission: P.skillGroups } }, async (req, reply) => {
      reply.status(201);
      return s.skillGroups.create(req.member().tenantId, req.body);
    });

    app.patch('/skill-groups/:id', { schema: { tags, summary: 'Rename a skill group or set its agents', params: Params, body: SkillGroupPatch }, config: { permission: P.skillGroups } }, async (req) =>
      s.skillGroups.update(req.member().tenantId, req.params.id, req.body));

    app.delete('/skill-groups/:id', { schema: { tags, summary: 'Delete a skill group; its waiting sessions move to the default group', params: Params }, config: { permission: P.skillGroups } }, async (req, reply) => {
      await s.skillGroups.remove(req.member().tenantId, req.params.id);
      reply.status(204);
    });
  };
}
