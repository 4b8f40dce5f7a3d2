/**
 * `GET /api/visitor/ui/:tenant`: the widget plugin modules (`ui.widget` of a manifest, built into
 * `ui/dist/widget/plugins/<id>.js`) the widget should load for a tenant. Only plugins enabled for
 * that tenant are listed, so a disabled plugin leaves no trace in the widget.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { KernelServices } from '../plugin-host/context.ts';
import type { PluginDescriptor } from '../plugin-host/manifest.ts';

export function visitorUiRoutes(k: KernelServices, plugins: PluginDescriptor[], widgetDir: string) {
  const withWidget = plugins.filter((p) => p.manifest.ui?.widget).map((p) => p.manifest.id);
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/api/visitor/ui/:tenant', {
      schema: {
        tags: ['visitor'],
        summary: 'The plugin modules the visitor widget loads for a tenant',
        params: Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Type.Object({ plugins: Type.Array(Type.Object({ id: Type.String(), url: Type.String() })) }) },
      },
      config: { permission: '@public' },
    }, async (request) => {
      const tenant = await k.tenants.bySlug(request.params.tenant);
      const enabled = await k.pluginState.enabledSet(tenant.id);
      const listed = withWidget.filter((id) => enabled.has(id) && fs.existsSync(path.join(widgetDir, 'plugins', `${id}.js`)));
      return { plugins: listed.map((id) => ({ id, url: `/widget/plugins/${id}.js` })) };
    });
  };
}
