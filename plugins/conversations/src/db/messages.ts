/** Messages of a session, numbered by `seq`. */
import { T, type Db } from './tables.ts';
import type { MessageRow, Visibility } from '../types.ts';

/** A sender's earlier message with this client id (client ids are unique per sender and session). */
export async function byClientId(db: Db, sessionId: string, senderId: string, clientMsgId: string): Promise<MessageRow | undefined> {
  return db(T.messages).where({ session_id: sessionId, sender_id: senderId, client_msg_id: clientMsgId }).first();
}

export interface NewMessage {
  tenant_id: string;
  session_id: string;
  seq: number;
  sender_kind: MessageRow['sender_kind'];
  sender_id: string | null;
  sender_name: string | null;
  type: string;
  body: Record<string, unknown>;
  client_msg_id: string | null;
  visibility: Visibility;
}

export async function insertMessage(trx: Db, m: NewMessage): Promise<MessageRow> {
  const [row] = await trx(T.messages).insert({ ...m, body: JSON.stringify(m.body) }).returning('*');
  return row;
}

/** Messages after `afterSeq` (ascending), or before `beforeSeq` (the latest ones first, returned ascending). */
export async function page(db: Db, sessionId: string, opts: { afterSeq?: number; beforeSeq?: number; limit: number; visitorOnly: boolean }): Promise<MessageRow[]> {
  const q = db(T.messages).where({ session_id: sessionId });
  if (opts.visitorOnly) q.andWhere({ visibility: 'all' });
  if (opts.beforeSeq !== undefined) {
    const rows: MessageRow[] = await q.andWhere('seq', '<', opts.beforeSeq).orderBy('seq', 'desc').limit(opts.limit);
    return rows.reverse();
  }
  return q.andWhere('seq', '>', opts.afterSeq ?? 0).orderBy('seq').limit(opts.limit);
}

export async function countFrom(db: Db, sessionId: string, senderKinds: string[], afterSeq: number): Promise<number> {
  const row = await db(T.messages)
    .where({ session_id: sessionId, visibility: 'all' })
    .whereIn('sender_kind', senderKinds)
    .andWhere('seq', '>', afterSeq)
    .count<{ n: number }[]>('* as n')
    .first();
  return Number(row?.n ?? 0);
}
