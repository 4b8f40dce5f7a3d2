/** What a widget may read before the visitor has a token. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from './services.ts';
import type { TenantService } from '../../../../core/tenants/tenant-service.ts';
import { PROTOCOL_VERSION } from '../protocol.ts';
import { FILE_TYPES, IMAGE_TYPES } from '../services/attachments.ts';

export function publicRoutes(s: Services, tenants: TenantService) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/public/:tenant/widget-config', {
      schema: { tags: ['conversations: visitor'], summary: 'Widget appearance and options for a tenant', params: Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 64 }) }) },
      config: { permission: '@public' },
    }, async (req, reply) => {
      const tenant = await tenants.bySlug(req.params.tenant);
      const settings = await s.settings(tenant.id);
      const w = settings.widget;
      reply.header('cache-control', 'public, max-age=60');
      return {
        protocolVersion: PROTOCOL_VERSION,
        title: w.title,
        color: w.color,
        position: w.position,
        greeting: w.greeting,
        language: w.language,
        preChat: w.preChat,
        skillGroups: w.visitorChoosesGroup ? (await s.skillGroups.list(tenant.id)).map((g) => ({ id: g.id, name: g.name })) : [],
        attachments: { maxBytes: await s.attachments.maxBytes(tenant.id), imageTypes: IMAGE_TYPES, fileTypes: FILE_TYPES },
      };
    });
  };
}
