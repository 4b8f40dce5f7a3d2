/** Shapes of the conversations protocol v1 (docs/protocol.md §3.3, §3.4, §4). */
export type SessionState = 'queued' | 'active' | 'closed' | 'aborted';
export type AgentStatus = 'idle' | 'busy' | 'away' | 'hidden' | 'offline';
export type OnlineStatus = Exclude<AgentStatus, 'offline'>;
export const ONLINE_STATUSES: OnlineStatus[] = ['idle', 'busy', 'away', 'hidden'];
export const SESSION_STATES: SessionState[] = ['queued', 'active', 'closed', 'aborted'];

export interface Session {
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
  visitor: { id: string; name: string | null; email: string | null };
  skillGroup: { id: string; name: string };
  priority: number;
  messageCount: number;
  lastMessageAt: string | null;
  lastMessagePreview: string | null;
  context: Record<string, unknown>;
  closedBy: string | null;
}

export interface Message {
  id: string;
  sessionId: string;
  seq: number;
  sender: { kind: 'visitor' | 'agent' | 'system'; id: string | null; name: string | null };
  type: string;
  body: Record<string, unknown>;
  clientMsgId: string | null;
  createdAt: string;
}

export interface SyncResult {
  messages: Message[];
  lastSeq: number;
  hasMore: boolean;
}

export interface AgentState {
  memberId: string;
  name: string;
  status: AgentStatus;
  capacity: number;
  activeCount: number;
  lastAssignedAt: string | null;
  skillGroupIds: string[];
}

export interface SkillGroup {
  id: string;
  name: string;
  description: string;
  isDefault: boolean;
  agentIds: string[];
}

export interface ExportJob {
  id: string;
  format: 'csv' | 'xlsx';
  state: 'running' | 'done' | 'failed';
  total: number;
  processed: number;
  progress: number;
  error?: string;
  createdAt: string;
}

export interface UploadedFile {
  fileId: string;
  filename: string;
  contentType: string;
  size: number;
}

/** Side-panel tabs the server declares in the bootstrap (`conversations.sidePanelTabs`). */
export interface DeclaredTab {
  pluginId: string;
  key: string;
  label: { en: string; 'zh-CN': string };
  order: number;
}

/** Permission nodes of the conversations plugin. */
export const P = {
  workbench: 'conversations.workbench',
  chat: 'conversations.workbench.chat',
  transfer: 'conversations.workbench.transfer',
  close: 'conversations.workbench.close',
  queue: 'conversations.queue',
  history: 'conversations.history.view',
  export: 'conversations.history.export',
  skillGroups: 'conversations.skill-groups',
  agents: 'conversations.agents',
} as const;

export const BASE = '/api/conversations';

/** The visitor's display name, or a stand-in built from the session ID. */
export function visitorLabel(s: Pick<Session, 'visitor' | 'code'>, fallback: string): string {
  return s.visitor.name?.trim() || `${fallback} ${s.code.slice(-6)}`;
}
