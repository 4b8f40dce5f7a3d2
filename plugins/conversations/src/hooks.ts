/**
 * The hooks this plugin offers other plugins, added to the kernel's catalogue by declaration
 * merging. The same events are recorded in the outbox under the same names.
 */
import type { MessageView, Sender, SessionState } from './types.ts';

export interface MessageDraft {
  sessionId: string;
  visitorId: string;
  sender: Sender;
  type: string;
  body: Record<string, unknown>;
  /** Set by a filter to refuse the message; the sender gets 422 with this code. */
  reject?: { code: string; message: string };
}

export interface SessionDraft {
  visitorId: string;
  visitorName: string | null;
  channelKind: string;
  skillGroupId: string;
  /** Higher is served first (VIP); 0 by default. */
  priority: number;
}

export interface SessionRef {
  sessionId: string;
  code: string;
  visitorId: string;
  skillGroupId: string;
}

declare module '../../../core/hooks/types.ts' {
  interface ActionPayloads {
    'conversations.session.created': SessionRef & { state: SessionState; priority: number };
    'conversations.session.assigned': SessionRef & { agentId: string; manual: boolean };
    'conversations.session.transferred': SessionRef & { fromAgentId: string | null; toAgentId: string | null; toSkillGroupId: string | null; byMemberId: string };
    'conversations.session.closed': SessionRef & { state: 'closed' | 'aborted'; agentId: string | null; closedBy: 'agent' | 'visitor' | 'system' };
    'conversations.message.stored': { message: MessageView; visitorId: string; agentId: string | null; visibility: 'all' | 'agents' };
  }
  interface FilterValues {
    'conversations.message.beforeStore': MessageDraft;
    'conversations.session.beforeCreate': SessionDraft;
  }
}

export {};
