/**
 * Stores one message inside the caller's transaction: takes the next `seq` from the (locked)
 * session row, updates its counters and records the domain event. The caller pushes it after commit.
 */
import { T, type Db } from '../db/tables.ts';
import { insertMessage } from '../db/messages.ts';
import type { MessageRow, Sender, SessionRow, Visibility } from '../types.ts';

export interface AppendInput {
  sender: Sender;
  type: string;
  body: Record<string, unknown>;
  clientMsgId: string | null;
  visibility: Visibility;
  /** Plain-text stand-in for session lists. */
  preview: string;
}

export type RecordEvent = (trx: Db, tenantId: string, type: string, payload: Record<string, unknown>) => Promise<number>;

export async function appendMessage(trx: Db, session: SessionRow, input: AppendInput, recordEvent: RecordEvent): Promise<MessageRow> {
  const fromVisitor = input.sender.kind === 'visitor';
  const toVisitor = input.sender.kind === 'agent' && input.visibility === 'all';
  const [{ last_seq: seq }] = await trx(T.sessions)
    .where({ id: session.id })
    .update({
      last_seq: trx.raw('last_seq + 1'),
      message_count: trx.raw('message_count + 1'),
      unread_agent: trx.raw('unread_agent + ?', [fromVisitor ? 1 : 0]),
      unread_visitor: trx.raw('unread_visitor + ?', [toVisitor ? 1 : 0]),
      last_message_at: trx.fn.now(),
      ...(input.sender.kind !== 'system' ? { last_message_preview: input.preview.slice(0, 200) } : {}),
    })
    .returning(['last_seq']);
  const message = await insertMessage(trx, {
    tenant_id: session.tenant_id,
    session_id: session.id,
    seq,
    sender_kind: input.sender.kind,
    sender_id: input.sender.id,
    sender_name: input.sender.name,
    type: input.type,
    body: input.body,
    client_msg_id: input.clientMsgId,
    visibility: input.visibility,
  });
  await recordEvent(trx, session.tenant_id, 'conversations.message.stored', {
    sessionId: session.id, messageId: message.id, seq, type: input.type, senderKind: input.sender.kind, visibility: input.visibility,
  });
  return message;
}

/** A system event in the session's timeline (assigned, transferred, closed...). */
export function systemMessage(trx: Db, session: SessionRow, body: Record<string, unknown>, recordEvent: RecordEvent, visibility: Visibility = 'all') {
  return appendMessage(trx, session, { sender: { kind: 'system', id: null, name: null }, type: 'system', body, clientMsgId: null, visibility, preview: '' }, recordEvent);
}
