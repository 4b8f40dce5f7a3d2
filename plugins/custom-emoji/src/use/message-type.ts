/**
 * The `custom-emoji` message type. The client sends `{ packId, emojiId }`; the stored body adds the
 * emoji's name and image URLs, so history keeps showing it after its pack is deleted. Agents need
 * the permission node; visitors may always send the tenant's emoji. A tenant without the plugin
 * (switched off or not licensed) cannot send the type at all.
 */
import { Type } from 'typebox';
import type { MessageTypeDef } from '../../../conversations/src/message-types.ts';
import { packErrors } from '../errors.ts';
import type { PackService } from '../packs/pack-service.ts';
import { emojiUrls } from '../packs/pack-views.ts';
import type { TenantSlugs } from '../tenant-slugs.ts';

export const MESSAGE_TYPE = 'custom-emoji';
export const USE_PERMISSION = 'conversations.custom-emoji';

const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export function customEmojiMessageType(deps: { packs: PackService; slugs: TenantSlugs; isEnabled(tenantId: string): Promise<boolean> }): MessageTypeDef {
  return {
    type: MESSAGE_TYPE,
    schema: Type.Object({ packId: Type.String({ pattern: UUID_PATTERN }), emojiId: Type.String({ pattern: UUID_PATTERN }) }, { additionalProperties: false }),
    senders: ['visitor', 'agent'],
    agentPermission: USE_PERMISSION,
    isEnabled: (tenantId) => deps.isEnabled(tenantId),
    prepare: async (body, ctx) => {
      const emoji = await deps.packs.sendable(ctx.tenantId, String(body.packId), String(body.emojiId));
      if (!emoji) throw packErrors.emojiNotFound();
      const slug = await deps.slugs.of(ctx.tenantId);
      return { packId: emoji.packId, emojiId: emoji.id, name: emoji.name, animated: emoji.animated, width: emoji.width, height: emoji.height, ...emojiUrls(slug, emoji.id) };
    },
    preview: (body) => `[Emoji] ${String(body.name ?? '')}`.trim(),
  };
}
