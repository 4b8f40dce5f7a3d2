/** Turns rows into what visitors and agents receive. */
import type { AgentRow, AgentSessionView, AgentStateView, MessageRow, MessageView, SessionRecord, VisitorSessionView } from './types.ts';

const iso = (d: Date | string | null) => (d === null ? null : (d instanceof Date ? d : new Date(d)).toISOString());

export function messageView(m: MessageRow): MessageView {
  return {
    id: m.id,
    sessionId: m.session_id,
    seq: m.seq,
    sender: { kind: m.sender_kind, id: m.sender_id, name: m.sender_name },
    type: m.type,
    body: m.body,
    clientMsgId: m.client_msg_id,
    createdAt: iso(m.created_at)!,
  };
}

export function visitorSessionView(s: SessionRecord, queuePosition?: number): VisitorSessionView {
  const view: VisitorSessionView = {
    id: s.id,
    code: s.code,
    state: s.state,
    channel: s.channel_kind,
    agent: s.agent_id ? { id: s.agent_id, name: s.agent_name ?? '' } : null,
    lastSeq: s.last_seq,
    unread: s.unread_visitor,
    createdAt: iso(s.created_at)!,
    assignedAt: iso(s.assigned_at),
    closedAt: iso(s.closed_at),
  };
  if (s.state === 'queued' && queuePosition !== undefined) view.queuePosition = queuePosition;
  return view;
}

/**
 * Extends the visitor's view in place. Built with object spreads (`{ ...visitorSessionView(s) }`,
 * a conditional `...{ queuePosition }`) the views were dictionary-mode objects: shaping and
 * serialising a history page of 20 took ~5x as long (bench http-api, profiled).
 */
export function agentSessionView(s: SessionRecord, queuePosition?: number): AgentSessionView {
  return Object.assign(visitorSessionView(s, queuePosition), {
    visitor: { id: s.visitor_id, name: s.visitor_name, email: s.visitor_email },
    skillGroup: { id: s.skill_group_id, name: s.skill_group_name },
    priority: s.priority,
    unread: s.unread_agent,
    messageCount: s.message_count,
    lastMessageAt: iso(s.last_message_at),
    lastMessagePreview: s.last_message_preview,
    context: s.context,
    closedBy: s.closed_by,
  });
}

export function agentStateView(a: AgentRow, skillGroupIds: string[]): AgentStateView {
  return {
    memberId: a.member_id,
    name: a.name,
    status: a.status,
    capacity: a.capacity,
    activeCount: a.active_count,
    lastAssignedAt: iso(a.last_assigned_at),
    skillGroupIds,
  };
}
