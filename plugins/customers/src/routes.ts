/** HTTP API of the customer center. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PluginContext } from '../../../core/plugin-host/context.ts';
import { grantsCover } from '../../../core/permissions/tree.ts';
import { errors } from '../../../core/http/errors.ts';
import type { FieldService } from './fields/field-service.ts';
import type { ProfileService } from './profiles/profile-service.ts';
import type { GroupService } from './groups/group-service.ts';
import { checkIdentifySignature } from './profiles/identify.ts';

const VIEW = 'customers.view';
const EDIT = 'customers.edit';
const MANAGE = 'customers.manage';
const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Values = Type.Record(Type.String({ maxLength: 40 }), Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Null(), Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 })]));
const Tags = Type.Array(Type.String({ maxLength: 50 }), { maxItems: 50 });
const FieldType = Type.Union(['text', 'number', 'date', 'single', 'multi'].map((t) => Type.Literal(t)) as never);
const Condition = Type.Object({ field: Type.String({ minLength: 1, maxLength: 40 }), op: Type.String({ minLength: 1, maxLength: 20 }), value: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Number()])) });
const MatchMode = Type.Union([Type.Literal('all'), Type.Literal('any')]);

export function customerRoutes(ctx: PluginContext, fields: FieldService, profiles: ProfileService, groups: GroupService) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['customers'];
    const agentView = (grants: string[]) => !grantsCover(grants, MANAGE);

    app.get('/fields', { schema: { tags, summary: 'Profile fields (system and custom)' }, config: { permission: VIEW } }, async (req) => ({ items: await fields.list(req.member().tenantId) }));
    app.post('/fields', {
      schema: { tags, summary: 'Define a custom field', body: Type.Object({ key: Type.String({ minLength: 1, maxLength: 40 }), label: Type.String({ minLength: 1, maxLength: 100 }), type: FieldType, options: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 })), readOnly: Type.Optional(Type.Boolean()), position: Type.Optional(Type.Integer()) }) },
      config: { permission: MANAGE },
    }, async (req, reply) => {
      reply.status(201);
      return fields.create(req.member().tenantId, req.body as never);
    });
    app.patch('/fields/:id', {
      schema: { tags, summary: 'Change a field: label, options, read-only, order', params: Id, body: Type.Object({ label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), options: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 })), readOnly: Type.Optional(Type.Boolean()), position: Type.Optional(Type.Integer()) }) },
      config: { permission: MANAGE },
    }, async (req) => fields.update(req.member().tenantId, req.params.id, req.body));
    app.delete('/fields/:id', { schema: { tags, summary: 'Delete a custom field', params: Id }, config: { permission: MANAGE } }, async (req) => {
      await fields.remove(req.member().tenantId, req.params.id);
      return { ok: true };
    });

    app.get('/profiles', {
      schema: { tags, summary: 'Search customers by name, email, phone or company; or list a group', querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })), groupId: Type.Optional(Type.String({ maxLength: 64 })), limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), offset: Type.Integer({ minimum: 0, default: 0 }) }) },
      config: { permission: VIEW },
    }, async (req) => {
      const m = req.member();
      const asAgent = agentView(m.grants);
      if (req.query.groupId) await groups.get(m.tenantId, req.query.groupId, { agentView: asAgent });
      const { total, rows } = await profiles.list(m.tenantId, req.query);
      return { total, items: await Promise.all(rows.map((r) => profiles.view(m.tenantId, r, { agentView: asAgent }))) };
    });
    app.post('/profiles', { schema: { tags, summary: 'Create a customer (read-only fields may be set now)', body: Type.Object({ values: Type.Optional(Values), tags: Type.Optional(Tags) }) }, config: { permission: EDIT } }, async (req, reply) => {
      const m = req.member();
      const id = await profiles.create(m.tenantId, req.body);
      reply.status(201);
      return profiles.view(m.tenantId, await profiles.row(m.tenantId, id), { agentView: agentView(m.grants) });
    });
    app.get('/profiles/:id', { schema: { tags, summary: 'One customer with their groups', params: Id }, config: { permission: VIEW } }, async (req) => {
      const m = req.member();
      return profiles.view(m.tenantId, await profiles.row(m.tenantId, req.params.id), { agentView: agentView(m.grants) });
    });
    app.get('/profiles/by-visitor/:id', { schema: { tags, summary: 'The customer a visitor is (profile tab of a conversation)', params: Id }, config: { permission: VIEW } }, async (req) => {
      const m = req.member();
      const row = await profiles.byVisitor(m.tenantId, req.params.id);
      if (!row) throw errors.notFound('CUSTOMER_NOT_FOUND', 'This visitor has no customer profile yet.');
      return profiles.view(m.tenantId, row, { agentView: agentView(m.grants) });
    });
    app.patch('/profiles/:id', { schema: { tags, summary: 'Change a customer (read-only fields refuse with FIELD_READ_ONLY)', params: Id, body: Type.Object({ values: Type.Optional(Values), tags: Type.Optional(Tags) }) }, config: { permission: EDIT } }, async (req) => {
      const m = req.member();
      await profiles.update(m.tenantId, req.params.id, req.body);
      return profiles.view(m.tenantId, await profiles.row(m.tenantId, req.params.id), { agentView: agentView(m.grants) });
    });

    const GroupBody = {
      name: Type.String({ minLength: 1, maxLength: 100 }),
      agentVisible: Type.Optional(Type.Boolean()),
      vip: Type.Optional(Type.Boolean()),
      matchMode: Type.Optional(MatchMode),
      conditions: Type.Optional(Type.Array(Condition, { maxItems: 50 })),
      position: Type.Optional(Type.Integer()),
    };
    app.get('/groups', { schema: { tags, summary: 'Groups (agents see only agent-visible ones)' }, config: { permission: VIEW } }, async (req) => {
      const m = req.member();
      return { items: await groups.list(m.tenantId, { agentView: agentView(m.grants) }) };
    });
    app.post('/groups', { schema: { tags, summary: 'Create a manual group or an auto-grouping rule (at most 10 rules)', body: Type.Object({ ...GroupBody, kind: Type.Union([Type.Literal('manual'), Type.Literal('rule')]) }) }, config: { permission: MANAGE } }, async (req, reply) => {
      reply.status(201);
      return groups.create(req.member().tenantId, req.body as never);
    });
    app.patch('/groups/:id', { schema: { tags, summary: 'Change a group or its rule', params: Id, body: Type.Partial(Type.Object(GroupBody)) }, config: { permission: MANAGE } }, async (req) =>
      groups.update(req.member().tenantId, req.params.id, req.body as never));
    app.delete('/groups/:id', { schema: { tags, summary: 'Delete a group (customers stay)', params: Id }, config: { permission: MANAGE } }, async (req) => {
      await groups.remove(req.member().tenantId, req.params.id);
      return { ok: true };
    });
    const MemberParams = Type.Object({ id: Type.String({ maxLength: 64 }), profileId: Type.String({ maxLength: 64 }) });
    app.put('/groups/:id/members/:profileId', { schema: { tags, summary: 'Put a customer in a manual group', params: MemberParams }, config: { permission: MANAGE } }, async (req) => {
      await groups.addMember(req.member().tenantId, req.params.id, req.params.profileId);
      return { ok: true };
    });
    app.delete('/groups/:id/members/:profileId', { schema: { tags, summary: 'Take a customer out of a manual group', params: MemberParams }, config: { permission: MANAGE } }, async (req) => {
      await groups.removeMember(req.member().tenantId, req.params.id, req.params.profileId);
      return { ok: true };
    });

    app.post('/visitor/identify', {
      schema: {
        tags,
        summary: "Set the visitor's profile values from the tenant's own site (signed; may set read-only fields)",
        description: 'signature = base64url(HMAC-SHA256(identity secret, externalId + "\\n" + JSON of values with keys sorted)). The visitor must have started with the same externalId.',
        body: Type.Object({ externalId: Type.String({ minLength: 1, maxLength: 200 }), values: Values, signature: Type.String({ minLength: 1, maxLength: 200 }) }),
      },
      config: { permission: '@visitor' },
    }, async (req) => {
      const v = req.visitor();
      checkIdentifySignature(await ctx.auth.identitySecret(v.tenantId), req.body.externalId, req.body.values, req.body.signature);
      const visitor = await ctx.auth.visitor(v.tenantId, v.visitorId);
      if (visitor?.externalId !== req.body.externalId) throw errors.forbidden('IDENTITY_MISMATCH', 'This visitor is not the user the values were signed for.');
      const existing = await profiles.byVisitor(v.tenantId, v.visitorId);
      if (existing) await profiles.update(v.tenantId, existing.id, { values: req.body.values }, { initial: true });
      else await profiles.create(v.tenantId, { visitorId: v.visitorId, channel: 'web', values: req.body.values });
      return { ok: true };
    });
  };
}
