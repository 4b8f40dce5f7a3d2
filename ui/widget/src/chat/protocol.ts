/** The parts of the visitor protocol (docs/protocol.md, version 1) the widget uses. */
export interface ApiErrorBody {
  statusCode: number;
  code: string;
  message: string;
  field?: string;
}

export type SessionState = 'queued' | 'active' | 'closed' | 'aborted';

export interface Session {
  id: string;
  code: string;
  state: SessionState;
  agent: { id: string; name: string } | null;
  queuePosition?: number;
  lastSeq: number;
  unread: number;
  createdAt: string;
}

export interface FileBody {
  fileId: string;
  filename: string;
  contentType: string;
  size: number;
}

export interface Message {
  id: string;
  sessionId: string;
  seq: number;
  sender: { kind: 'visitor' | 'agent' | 'system'; id: string | null; name?: string | null };
  type: string;
  body: Record<string, unknown>;
  clientMsgId?: string | null;
  createdAt: string;
}

export interface WidgetConfig {
  protocolVersion: number;
  title?: string;
  color?: string;
  position?: string;
  greeting?: string;
  language?: string;
  preChat?: { enabled: boolean; requireName: boolean; requireEmail: boolean };
  skillGroups?: Array<{ id: string; name: string }>;
  attachments?: { maxBytes: number; imageTypes: string[]; fileTypes: string[] };
}

export interface SyncResult {
  messages: Message[];
  lastSeq: number;
  hasMore: boolean;
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: ApiErrorBody };

export const isOpenState = (state: SessionState) => state === 'queued' || state === 'active';
