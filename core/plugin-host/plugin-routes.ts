/** Admins switch plugins on and off for their tenant and edit plugin settings. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { KernelServices } from './context.ts';
import { PluginViewSchema } from '../http/schemas.ts';

const PERMISSION = 'settings.plugins';
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export function pluginRoutes(k: KernelServices) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/', { schema: { tags: ['plugins'], summary: 'Installed plugins, with this tenant\'s licence and state', response: { 200: Type.Object({ items: Type.Array(PluginViewSchema) }) } }, config: { permission: PERMISSION } }, async (req) => ({
      items: await k.pluginState.list(req.member().tenantId),
    }));
    for (const action of ['enable', 'disable'] as const) {
      app.post(`/:id/${action}`, {
        schema: { tags: ['plugins'], summary: `${action === 'enable' ? 'Enable' : 'Disable'} a plugin for this tenant`, params: IdParams, response: { 200: PluginViewSchema } },
        config: { permission: PERMISSION },
      }, async (req) => k.pluginState.setEnabled(req.member().tenantId, req.params.id, action === 'enable'));
    }
    app.get('/:id/settings', { schema: { tags: ['plugins'], summary: 'A plugin\'s settings for this tenant', params: IdParams }, config: { permission: PERMISSION } }, async (req) => ({
      settings: await k.pluginState.getSettings(req.member().tenantId, req.params.id),
    }));
    app.put('/:id/settings', {
      schema: { tags: ['plugins'], summary: 'Replace a plugin\'s settings (validated against its schema)', params: IdParams, body: Type.Object({ settings: Type.Record(Type.String(), Type.Unknown()) }) },
      config: { permission: PERMISSION },
    }, async (req) => ({ settings: await k.pluginState.setSettings(req.member().tenantId, req.params.id, req.body.settings) }));
  };
}
