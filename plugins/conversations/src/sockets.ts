/** Socket events of both namespaces (docs/protocol.md §3.6 and §4.4). */
import type { PluginContext } from '../../../core/plugin-host/context.ts';
import type { MemberPrincipal, VisitorPrincipal } from '../../../core/auth/principal.ts';
import type { Services } from './routes/services.ts';
import { P, can } from './access.ts';
import { watchRoom } from './notify.ts';
import { ReadEvent, SendEvent, SessionEvent, StatusEvent, SyncEvent, TypingEvent } from './schemas.ts';
import type { OnlineStatus } from './types.ts';

interface SendPayload { sessionId: string; clientMsgId: string; type: string; body: Record<string, unknown> }
interface SyncPayload { sessionId: string; afterSeq: number; limit?: number }
interface ReadPayload { sessionId: string; seq: number }
interface TypingPayload { sessionId: string; typing: boolean }

export function registerSockets(ctx: PluginContext, s: Services): void {
  const rt = ctx.realtime;
  for (const ns of ['visitor', 'agent'] as const) {
    const member = ns === 'agent';
    rt.on(ns, 'conv:send', { permission: member ? P.chat : '@visitor', schema: SendEvent }, (payload, { principal, socket }) => {
      const { sessionId, ...input } = payload as SendPayload;
      return s.messages.send(principal, sessionId, input, socket.id);
    });
    rt.on(ns, 'conv:sync', { permission: member ? '@member' : '@visitor', schema: SyncEvent }, (payload, { principal }) => {
      const p = payload as SyncPayload;
      return s.messages.sync(principal, p.sessionId, p.afterSeq, p.limit);
    });
    rt.on(ns, 'conv:read', { permission: member ? P.workbench : '@visitor', schema: ReadEvent }, (payload, { principal }) => {
      const p = payload as ReadPayload;
      return s.sessions.read(principal, p.sessionId, p.seq);
    });
    rt.on(ns, 'conv:typing', { permission: member ? P.chat : '@visitor', schema: TypingEvent }, (payload, { principal }) => {
      const p = payload as TypingPayload;
      return s.messages.typing(principal, p.sessionId, p.typing);
    });
  }

  rt.on('agent', 'conv:watch', { permission: P.history, schema: SessionEvent }, async (payload, { principal, socket }) => {
    const session = await s.sessions.visible(principal, (payload as { sessionId: string }).sessionId);
    await socket.join(watchRoom(session.id));
    return {};
  });
  rt.on('agent', 'conv:unwatch', { permission: P.history, schema: SessionEvent }, async (payload, { principal, socket }) => {
    const session = await s.sessions.visible(principal, (payload as { sessionId: string }).sessionId);
    await socket.leave(watchRoom(session.id));
    return {};
  });
  rt.on('agent', 'agent:status', { permission: P.workbench, schema: StatusEvent }, (payload, { principal }) =>
    s.agents.setOwn(principal as MemberPrincipal, { status: (payload as { status: OnlineStatus }).status }));

  // Presence: an agent is online while one of their sockets is connected (on a live process: services/presence.ts).
  rt.onConnection('agent', ({ principal, socket }) => {
    const m = principal as MemberPrincipal | VisitorPrincipal;
    if (m.kind !== 'member' || !can(m, P.workbench)) return;
    s.presence.agentConnected(m);
    socket.on('disconnect', () => {
      s.presence.agentDisconnected(m);
      s.agents.disconnected(m, socket).catch((err) => ctx.log.error({ err }, 'agent presence update failed'));
    });
    return s.agents.connected(m);
  });
  // A queued visitor with no socket (and no requests) for too long has left: see services/presence.ts.
  rt.onConnection('visitor', ({ principal, socket }) => {
    const v = principal as VisitorPrincipal;
    socket.on('disconnect', () => {
      s.presence.visitorDisconnected(v).catch((err) => ctx.log.error({ err }, 'visitor presence update failed'));
    });
    return s.presence.visitorConnected(v);
  });
}
