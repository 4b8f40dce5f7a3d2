/** Mounts the kernel's own routes. Plugin routes are mounted by the plugin host. */
import type { FastifyInstance } from 'fastify';
import type { KernelServices } from '../plugin-host/context.ts';
import type { PluginDescriptor } from '../plugin-host/manifest.ts';
import { authRoutes } from '../auth/auth-routes.ts';
import { visitorRoutes } from '../auth/visitor-routes.ts';
import { apiKeyRoutes } from '../auth/api-key-routes.ts';
import { memberRoutes } from '../members/member-routes.ts';
import { roleRoutes } from '../permissions/role-routes.ts';
import { pluginRoutes } from '../plugin-host/plugin-routes.ts';
import { operatorRoutes } from '../tenants/operator-routes.ts';
import { consoleRoutes, tenantRoutes } from '../tenants/tenant-routes.ts';

export function kernelRoutes(k: KernelServices, plugins: PluginDescriptor[]) {
  return async (app: FastifyInstance) => {
    app.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness' }, config: { permission: '@public' } }, async () => ({ status: 'ok' }));
    await app.register(authRoutes(k), { prefix: '/api/auth' });
    await app.register(visitorRoutes(k), { prefix: '/api/visitor' });
    await app.register(apiKeyRoutes(k), { prefix: '/api/api-keys' });
    await app.register(memberRoutes(k), { prefix: '/api/members' });
    await app.register(roleRoutes(k), { prefix: '/api/roles' });
    await app.register(pluginRoutes(k), { prefix: '/api/plugins' });
    await app.register(tenantRoutes(k), { prefix: '/api/tenant' });
    await app.register(consoleRoutes(k, plugins), { prefix: '/api/console' });
    await app.register(operatorRoutes(k), { prefix: '/api/operator' });
  };
}
