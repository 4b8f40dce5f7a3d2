/**
 * Pushes to connected clients, sent after the change is committed. Visitors get their own room;
 * agents get the session's agent's room plus the room of members watching the session.
 */
import type { PluginContext } from '../../../core/plugin-host/context.ts';
import { rooms } from '../../../core/realtime/realtime.ts';
import { agentSessionView, messageView, visitorSessionView } from './views.ts';
import type { AgentStateView, MessageRow, SessionRecord } from './types.ts';

export const watchRoom = (sessionId: string) => `cw:${sessionId}`;

export class Notifier {
  constructor(private readonly realtime: PluginContext['realtime']) {}

  private agentRooms(sessionId: string, ...agentIds: Array<string | null | undefined>): string[] {
    return [watchRoom(sessionId), ...agentIds.filter((a): a is string => !!a).map(rooms.member)];
  }

  /**
   * `alsoAgents`: agents to tell besides the session's own (e.g. the one who just transferred it).
   * `except`: the sender's socket, which has the message in its acknowledgement.
   */
  message(s: Pick<SessionRecord, 'id' | 'visitor_id' | 'agent_id'>, m: MessageRow, to: { alsoAgents?: string[]; except?: string } = {}): void {
    const view = messageView(m);
    const options = { except: to.except };
    if (m.visibility === 'all') this.realtime.emit('visitor', rooms.visitor(s.visitor_id), 'conv:message', view, options);
    this.realtime.emit('agent', this.agentRooms(s.id, s.agent_id, ...(to.alsoAgents ?? [])), 'conv:message', view, options);
  }

  /** The session changed: its visitor, its agent, a previous agent (after a transfer) and watchers hear of it. */
  session(s: SessionRecord, opts: { queuePosition?: number; previousAgentId?: string | null } = {}): void {
    this.realtime.emit('visitor', rooms.visitor(s.visitor_id), 'conv:session', visitorSessionView(s, opts.queuePosition));
    this.realtime.emit('agent', this.agentRooms(s.id, s.agent_id, opts.previousAgentId), 'conv:session', agentSessionView(s, opts.queuePosition));
  }

  queuePosition(s: SessionRecord, position: number): void {
    this.realtime.emit('visitor', rooms.visitor(s.visitor_id), 'conv:session', visitorSessionView(s, position));
  }

  queueChanged(tenantId: string, queued: number): void {
    this.realtime.emit('agent', rooms.tenant(tenantId), 'queue:changed', { queued });
  }

  typing(s: Pick<SessionRecord, 'id' | 'visitor_id' | 'agent_id'>, from: 'visitor' | 'agent', typing: boolean): void {
    const data = { sessionId: s.id, typing };
    if (from === 'agent') this.realtime.emit('visitor', rooms.visitor(s.visitor_id), 'conv:typing', data);
    else this.realtime.emit('agent', this.agentRooms(s.id, s.agent_id), 'conv:typing', data);
  }

  agentState(state: AgentStateView): void {
    this.realtime.emit('agent', rooms.member(state.memberId), 'agent:state', state);
  }

  toMember(memberId: string, event: string, data: unknown): void {
    this.realtime.emit('agent', rooms.member(memberId), event, data);
  }
}
