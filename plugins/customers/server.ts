/**
 * Customer center: profiles with system and custom fields (read-only ones included), groups set by
 * admins, auto-grouping rules kept up to date as data and time change, and VIP customers served first.
 */
import { definePlugin } from '../../core/plugin-host/context.ts';
import type { ConversationsApi } from '../conversations/src/api.ts';
import '../conversations/src/hooks.ts';
import { FieldService } from './src/fields/field-service.ts';
import { ProfileService } from './src/profiles/profile-service.ts';
import { GroupService } from './src/groups/group-service.ts';
import { sweepDue, syncTenant } from './src/groups/membership.ts';
import { customerRoutes } from './src/routes.ts';

/** Queue priority of a VIP customer's new conversation (normal customers have 0). */
export const VIP_PRIORITY = 10;

export default definePlugin((ctx) => {
  const fields = new FieldService(ctx.knex);
  const profiles = new ProfileService(ctx.knex, fields, ctx.clock);
  const groups = new GroupService(ctx.knex, fields, ctx.clock);
  ctx.routes(customerRoutes(ctx, fields, profiles, groups));

  // Every visitor who starts a conversation becomes (or already is) a customer; their session count feeds the rules.
  ctx.hooks.onAction('conversations.session.created', async (session, { tenantId }) => {
    const visitor = await ctx.auth.visitor(tenantId, session.visitorId);
    await ctx.knex.transaction(async (trx) => {
      const id = await profiles.ensureForVisitor(trx, tenantId, session.visitorId, { channel: 'web', name: visitor?.name, email: visitor?.email });
      await profiles.countSession(trx, tenantId, id);
    });
  });
  ctx.hooks.addFilter('conversations.session.beforeCreate', async (draft, { tenantId }) =>
    (await groups.isVipVisitor(tenantId, draft.visitorId)) ? { ...draft, priority: Math.max(draft.priority, VIP_PRIORITY) } : draft,
  );
  // Time-based rules were not followed while the plugin was off; catch up when it comes back.
  ctx.hooks.onAction('plugin.enabled', async ({ pluginId }, { tenantId }) => {
    if (pluginId === ctx.id) await syncTenant(ctx.knex, tenantId, ctx.clock.now());
  });
  ctx.jobs.every('rule-sweep', 60_000, (now) => sweepDue(ctx.knex, now, (tenantId) => ctx.isEnabled(tenantId)));

  ctx.dependency<ConversationsApi>('conversations').addSidePanelTab({
    pluginId: ctx.id,
    key: 'customer',
    label: { en: 'Customer', 'zh-CN': '客户资料' },
    order: 1,
    permission: 'customers.view',
    isEnabled: (tenantId) => ctx.isEnabled(tenantId),
  });
});
