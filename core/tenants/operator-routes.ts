/** The platform operator's API: tenants, editions, add-ons, seats and first members. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { KernelServices } from '../plugin-host/context.ts';
import { MemberSchema, Name, PluginViewSchema, TenantSchema } from '../http/schemas.ts';
import { tenantView } from './tenant-view.ts';

const P = { permission: '@operator' };
const TenantParams = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 64 }) });
const Edition = Type.Union([Type.Literal('standard'), Type.Literal('flagship')]);

export function operatorRoutes(k: KernelServices) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['operator'];
    app.get('/tenants', { schema: { tags, summary: 'List tenants', response: { 200: Type.Object({ items: Type.Array(TenantSchema) }) } }, config: P }, async () => ({
      items: (await k.tenants.list()).map(tenantView),
    }));
    app.post('/tenants', {
      schema: { tags, summary: 'Create a tenant', body: Type.Object({ slug: Type.String({ minLength: 1, maxLength: 64 }), name: Name(), edition: Type.Optional(Edition), seats: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })), addons: Type.Optional(Type.Array(Type.String({ maxLength: 64 }))) }), response: { 201: TenantSchema } },
      config: P,
    }, async (req, reply) => {
      for (const addon of req.body.addons ?? []) k.pluginState.descriptor(addon); // 404 PLUGIN_NOT_FOUND
      reply.status(201);
      return tenantView(await k.tenants.create(req.body));
    });
    app.get('/tenants/:tenant', { schema: { tags, summary: 'One tenant (id or slug)', params: TenantParams, response: { 200: TenantSchema } }, config: P }, async (req) =>
      tenantView(await k.tenants.resolve(req.params.tenant)));
    app.patch('/tenants/:tenant', {
      schema: { tags, summary: 'Change a tenant\'s name, edition or seats', params: TenantParams, body: Type.Object({ name: Type.Optional(Name()), edition: Type.Optional(Edition), seats: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) }), response: { 200: TenantSchema } },
      config: P,
    }, async (req) => {
      const t = await k.tenants.resolve(req.params.tenant);
      return tenantView(await k.pluginState.licenceChange(t.id, () => k.tenants.update(t.id, req.body)));
    });
    const AddonParams = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 64 }), addon: Type.String({ minLength: 1, maxLength: 64 }) });
    app.put('/tenants/:tenant/addons/:addon', { schema: { tags, summary: 'Grant a purchased add-on', params: AddonParams, response: { 200: TenantSchema } }, config: P }, async (req) => {
      const t = await k.tenants.resolve(req.params.tenant);
      k.pluginState.descriptor(req.params.addon);
      return tenantView(await k.pluginState.licenceChange(t.id, () => k.tenants.grantAddon(t.id, req.params.addon)));
    });
    app.delete('/tenants/:tenant/addons/:addon', { schema: { tags, summary: 'Revoke an add-on (the plugin\'s data is kept)', params: AddonParams, response: { 200: TenantSchema } }, config: P }, async (req) => {
      const t = await k.tenants.resolve(req.params.tenant);
      // An add-on of a plugin since removed from this installation can still be revoked.
      if (!t.addons.includes(req.params.addon)) k.pluginState.descriptor(req.params.addon);
      return tenantView(await k.pluginState.licenceChange(t.id, () => k.tenants.revokeAddon(t.id, req.params.addon)));
    });
    app.post('/tenants/:tenant/members', {
      schema: { tags, summary: 'Create a member in a tenant', params: TenantParams, body: Type.Object({ email: Type.String({ minLength: 3, maxLength: 254 }), name: Name(), password: Type.String({ minLength: 8, maxLength: 1024 }), roleKey: Type.String({ minLength: 1, maxLength: 64 }) }), response: { 201: MemberSchema } },
      config: P,
    }, async (req, reply) => {
      const t = await k.tenants.resolve(req.params.tenant);
      reply.status(201);
      return k.members.create(t.id, req.body);
    });
    app.get('/tenants/:tenant/plugins', { schema: { tags, summary: 'A tenant\'s plugins', params: TenantParams, response: { 200: Type.Object({ items: Type.Array(PluginViewSchema) }) } }, config: P }, async (req) => {
      const t = await k.tenants.resolve(req.params.tenant);
      return { items: await k.pluginState.list(t.id) };
    });
  };
}
