/**
 * Custom emoji: admins upload packs (zip) that agents and visitors send as `custom-emoji` messages.
 * An add-on on the standard edition, included on flagship.
 */
import multipart from '@fastify/multipart';
import { definePlugin } from '../../core/plugin-host/context.ts';
import type { ConversationsApi } from '../conversations/src/api.ts';
import { MAX_ZIP_BYTES } from './src/limits.ts';
import { PackService } from './src/packs/pack-service.ts';
import { TenantSlugs } from './src/tenant-slugs.ts';
import { adminRoutes } from './src/routes/admin-routes.ts';
import { useRoutes } from './src/routes/use-routes.ts';
import { customEmojiMessageType } from './src/use/message-type.ts';

export default definePlugin((ctx) => {
  const packs = new PackService(ctx.knex, ctx.files, ctx.clock);
  const slugs = new TenantSlugs(ctx.tenants);

  ctx.dependency<ConversationsApi>('conversations').registerMessageType(
    customEmojiMessageType({ packs, slugs, isEnabled: (tenantId) => ctx.isEnabled(tenantId) }),
  );

  ctx.routes(async (app) => {
    await app.register(multipart, { limits: { fileSize: MAX_ZIP_BYTES + 1, files: 1, fields: 1, parts: 2 } });
    await app.register(adminRoutes(packs, slugs));
    await app.register(useRoutes(packs, slugs, ctx.files, ctx.tenants));
  });
});
