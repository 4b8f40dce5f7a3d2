/** A member's own tenant, and the console's start-up data. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { KernelServices } from '../plugin-host/context.ts';
import type { PluginDescriptor } from '../plugin-host/manifest.ts';
import { TenantSchema } from '../http/schemas.ts';
import { tenantView } from './tenant-view.ts';
import { memberView } from '../members/member-service.ts';
import { KERNEL_OWNER } from '../hooks/hook-bus.ts';

export function tenantRoutes(k: KernelServices) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/', { schema: { tags: ['tenant'], summary: 'The caller\'s tenant', response: { 200: TenantSchema } }, config: { permission: '@member' } }, async (req) =>
      tenantView(await k.tenants.get(req.member().tenantId)));
    app.get('/identity-secret', {
      schema: {
        tags: ['tenant'],
        summary: 'The secret a site signs its users\' ids with (HMAC-SHA256, base64url) to identify them to the widget',
        response: { 200: Type.Object({ secret: Type.String() }) },
      },
      config: { permission: 'settings.tenant' },
    }, async (req) => ({ secret: await k.auth.identitySecret(req.member().tenantId) }));
  };
}

export function consoleRoutes(k: KernelServices, plugins: PluginDescriptor[]) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/bootstrap', {
      schema: { tags: ['console'], summary: 'What the console needs at start: member, tenant, grants, enabled plugins and their UI, permission tree' },
      config: { permission: '@member' },
    }, async (req) => {
      const principal = req.member();
      const [tenant, member, enabled] = await Promise.all([
        k.tenants.get(principal.tenantId),
        k.members.get(principal.tenantId, principal.memberId),
        k.pluginState.enabledSet(principal.tenantId),
      ]);
      const payload = {
        tenant: tenantView(tenant),
        member: memberView(member),
        grants: principal.grants,
        plugins: plugins
          .filter((p) => enabled.has(p.manifest.id))
          .map((p) => ({ id: p.manifest.id, version: p.manifest.version, title: p.manifest.title, ui: p.manifest.ui?.console ? `/ui/plugins/${p.manifest.id}/console.js` : null })),
        permissions: k.permissions.tree(new Set([KERNEL_OWNER, ...enabled])),
      };
      return k.hooks.filter('console.bootstrap', { tenantId: principal.tenantId }, payload);
    });
  };
}
