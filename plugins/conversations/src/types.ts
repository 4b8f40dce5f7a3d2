/** Rows of the plugin's tables and the views clients receive. */

export type SessionState = 'queued' | 'active' | 'closed' | 'aborted';
export type AgentStatus = 'idle' | 'busy' | 'away' | 'hidden' | 'offline';
export type OnlineStatus = Exclude<AgentStatus, 'offline'>;
export type SenderKind = 'visitor' | 'agent' | 'system';
export type Visibility = 'all' | 'agents';

export const AGENT_STATUSES: AgentStatus[] = ['idle', 'busy', 'away', 'hidden', 'offline'];
export const ONLINE_STATUSES: OnlineStatus[] = ['idle', 'busy', 'away', 'hidden'];
export const SESSION_STATES: SessionState[] = ['queued', 'active', 'closed', 'aborted'];
export const OPEN_STATES: SessionState[] = ['queued', 'active'];

export interface SessionRow {
  id: string;
  tenant_id: string;
  code: string;
  visitor_id: string;
  visitor_name: string | null;
  visitor_email: string | null;
  channel_id: string;
  skill_group_id: string;
  agent_id: string | null;
  agent_name: string | null;
  transferred_from_agent_id: string | null;
  state: SessionState;
  priority: number;
  last_seq: number;
  message_count: number;
  agent_read_seq: number;
  visitor_read_seq: number;
  unread_agent: number;
  unread_visitor: number;
  last_message_preview: string | null;
  last_message_at: Date | null;
  context: Record<string, unknown>;
  closed_by: string | null;
  created_at: Date;
  queued_at: Date;
  assigned_at: Date | null;
  closed_at: Date | null;
  /** Last time the visitor had a socket or made a request, while queued (services/presence.ts). */
  visitor_seen_at: Date;
}

/** What the send path needs of a session: who may write in it, under which names. */
export type SessionFacts = Pick<SessionRow, 'id' | 'tenant_id' | 'visitor_id' | 'visitor_name' | 'agent_id' | 'agent_name' | 'state'>;

/** A session row joined with its group's name and channel kind. */
export interface SessionRecord extends SessionRow {
  skill_group_name: string;
  channel_kind: string;
}

export interface MessageRow {
  id: string;
  tenant_id: string;
  session_id: string;
  seq: number;
  sender_kind: SenderKind;
  sender_id: string | null;
  sender_name: string | null;
  type: string;
  body: Record<string, unknown>;
  client_msg_id: string | null;
  visibility: Visibility;
  created_at: Date;
}

export interface AgentRow {
  tenant_id: string;
  member_id: string;
  name: string;
  status: AgentStatus;
  preferred_status: OnlineStatus;
  capacity: number;
  active_count: number;
  last_assigned_at: Date | null;
  /** Last time a process stamped the agent as connected (services/presence.ts). */
  last_seen_at: Date | null;
  updated_at: Date;
}

export interface SkillGroupRow {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  is_default: boolean;
  created_at: Date;
}

export interface Sender {
  kind: SenderKind;
  id: string | null;
  name: string | null;
}

export interface MessageView {
  id: string;
  sessionId: string;
  seq: number;
  sender: Sender;
  type: string;
  body: Record<string, unknown>;
  clientMsgId: string | null;
  createdAt: string;
}

export interface VisitorSessionView {
  id: string;
  code: string;
  state: SessionState;
  channel: string;
  agent: { id: string; name: string } | null;
  queuePosition?: number;
  lastSeq: number;
  unread: number;
  createdAt: string;
  assignedAt: string | null;
  closedAt: string | null;
}

export interface AgentSessionView extends Omit<VisitorSessionView, 'unread'> {
  visitor: { id: string; name: string | null; email: string | null };
  skillGroup: { id: string; name: string };
  priority: number;
  unread: number;
  messageCount: number;
  lastMessageAt: string | null;
  lastMessagePreview: string | null;
  context: Record<string, unknown>;
  closedBy: string | null;
}

export interface AgentStateView {
  memberId: string;
  name: string;
  status: AgentStatus;
  capacity: number;
  activeCount: number;
  lastAssignedAt: string | null;
  skillGroupIds: string[];
}
