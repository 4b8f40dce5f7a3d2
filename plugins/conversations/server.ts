/**
 * The conversations plugin: sessions between visitors and agents, routing, messages, history and
 * export. Wires the services, REST routes, socket events, hooks and the API other plugins use.
 */
import multipart from '@fastify/multipart';
import { definePlugin } from '../../core/plugin-host/context.ts';
import { grantsCover } from '../../core/permissions/tree.ts';
import './src/hooks.ts';
import { Notifier } from './src/notify.ts';
import { MessageTypes } from './src/message-types.ts';
import { builtinTypes } from './src/builtin-types.ts';
import { readSettings } from './src/settings.ts';
import { Router } from './src/services/routing.ts';
import { Agents } from './src/services/agents.ts';
import { Sessions } from './src/services/sessions.ts';
import { Messages } from './src/services/messages.ts';
import { SkillGroups } from './src/services/skill-groups.ts';
import { History } from './src/services/history.ts';
import { Exports } from './src/services/exports.ts';
import { Attachments } from './src/services/attachments.ts';
import { Presence } from './src/services/presence.ts';
import type { Deps } from './src/services/deps.ts';
import type { Services } from './src/routes/services.ts';
import { visitorRoutes } from './src/routes/visitor-routes.ts';
import { agentRoutes } from './src/routes/agent-routes.ts';
import { historyRoutes } from './src/routes/history-routes.ts';
import { adminRoutes } from './src/routes/admin-routes.ts';
import { publicRoutes } from './src/routes/public-routes.ts';
import { registerSockets } from './src/sockets.ts';
import { SidePanelTabs, conversationsApi } from './src/api.ts';
import { PROTOCOL_VERSION } from './src/protocol.ts';

export default definePlugin(async (ctx) => {
  const types = new MessageTypes();
  const settings = (tenantId: string) => readSettings(ctx.settings, tenantId);
  const deps: Deps = {
    knex: ctx.knex,
    connections: ctx.database.connections,
    log: ctx.log,
    hooks: ctx.hooks,
    recordEvent: ctx.recordEvent,
    eventsFrom: ctx.eventsFrom,
    notifier: new Notifier(ctx.realtime),
    members: ctx.members,
    files: ctx.files,
    uploadMaxBytes: ctx.config.uploadMaxBytes,
    settings,
    types,
    clock: ctx.clock,
    presenceGraceMs: ctx.config.presenceGraceMs,
  };
  const router = new Router(deps);
  const agents = new Agents(deps, router);
  const sessions = new Sessions(deps, router, agents);
  const attachments = new Attachments(deps, () => sessions);
  for (const def of builtinTypes(attachments)) types.register(def);
  const messages = new Messages(deps, sessions);
  const history = new History(deps);
  const presence = new Presence(deps, agents, sessions, router, { tickMs: ctx.config.presenceTickMs, isEnabled: (tenantId) => ctx.isEnabled(tenantId) });
  const services: Services = {
    sessions,
    messages,
    agents,
    skillGroups: new SkillGroups(deps, router),
    history,
    exports: new Exports(deps, history),
    attachments,
    presence,
    settings,
  };

  ctx.routes(async (app) => {
    await app.register(multipart, { limits: { fileSize: ctx.config.uploadMaxBytes, files: 1 } });
    await app.register(publicRoutes(services, ctx.tenants));
    await app.register(visitorRoutes(services));
    await app.register(agentRoutes(services));
    await app.register(historyRoutes(services));
    await app.register(adminRoutes(services));
  });
  registerSockets(ctx, services);
  ctx.jobs.every('purge-exports', 3600_000, () => services.exports.purge());
  ctx.jobs.every('presence-heartbeat', ctx.config.presenceTickMs, (now) => presence.heartbeat(now), { eachProcess: true });
  ctx.jobs.every('presence-sweep', ctx.config.presenceTickMs, (now) => presence.sweep(now));

  const tabs = new SidePanelTabs();
  ctx.hooks.addFilter('console.bootstrap', async (payload, hctx) => {
    const grants = ((payload as { grants?: string[] }).grants ?? []) as string[];
    return {
      ...payload,
      conversations: {
        protocolVersion: PROTOCOL_VERSION,
        sidePanelTabs: await tabs.visible(hctx.tenantId, (key) => grantsCover(grants, key)),
        messageTypes: types.names(),
      },
    };
  });

  ctx.expose(conversationsApi({ knex: ctx.knex, types, tabs, messages }));
});
