/**
 * A system event in the session's timeline (assigned, transferred, closed...), stored inside the
 * caller's transaction by the statement that stores every message, so counters, `seq` and the
 * domain event are written one way. The caller pushes it after commit.
 */
import type { Db } from '../db/tables.ts';
import { storeMessages, type EventsFrom } from '../db/messages.ts';
import type { MessageRow, SessionRow, Visibility } from '../types.ts';

export async function systemMessage(trx: Db, session: SessionRow, body: Record<string, unknown>, eventsFrom: EventsFrom, visibility: Visibility = 'all'): Promise<MessageRow> {
  const [stored] = await storeMessages(trx, [{
    input: { sessionId: session.id, senderKind: 'system', senderId: null, type: 'system', body, clientMsgId: null, visibility, preview: null },
    guard: null,
  }], eventsFrom);
  // Without a guard or client id the statement always writes: the session row exists.
  return stored!.message;
}
