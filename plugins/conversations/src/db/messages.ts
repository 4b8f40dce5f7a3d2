/** Messages of a session, numbered by `seq`. */
import { T, type Db } from './tables.ts';
import type { Knex } from 'knex';
import type { MessageRow, SessionFacts, SessionRow, Visibility } from '../types.ts';

/** A sender's earlier message with this client id (client ids are unique per sender and session). */
export async function byClientId(db: Db, sessionId: string, senderId: string, clientMsgId: string): Promise<MessageRow | undefined> {
  return db(T.messages).where({ session_id: sessionId, sender_id: senderId, client_msg_id: clientMsgId }).first();
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

/** What must still hold when a message is stored; checked in the statement itself. */
export interface StoreGuard {
  states: SessionRow['state'][];
  /** A member may write only in their own session. */
  agentId?: string;
}

export interface StoreInput {
  /** A session the caller read within its tenant: the statement finds it by id alone. */
  sessionId: string;
  senderKind: MessageRow['sender_kind'];
  senderId: string | null;
  type: string;
  body: Record<string, unknown>;
  /** A sender's retry key: a message with the same one is not stored twice. */
  clientMsgId: string | null;
  visibility: Visibility;
  /** The session list's stand-in text; null keeps the current one (system events are not shown there). */
  preview: string | null;
}

/** `eventsFrom` of the plugin context: the outbox write as a CTE body. */
export type EventsFrom = (type: string, from: { cte: string; tenantId: string; payload: string }) => Knex.Raw;

/**
 * Stores a message in ONE statement: the session's counters are bumped (the UPDATE's row lock
 * orders a session's messages and hands out `seq`), the message is inserted and its domain event
 * recorded. One statement is atomic without BEGIN/COMMIT, so the send path costs a single round
 * trip; system messages run it inside their caller's transaction. The sender's name is the one
 * the session has for them. Nothing is written (undefined) when the guard fails or the client id
 * was stored already; the caller then finds out which. A retry racing its first attempt past the
 * NOT EXISTS meets the unique index instead (23505).
 *
 * The session is found by its primary key only. With `tenant_id` in the WHERE as well, the planner
 * could take the partial index of open sessions (its predicate matches the state guard) and walk
 * all of the tenant's open sessions: ~1 ms a message at 1,000 of them (bench message-path,
 * EXPLAIN ANALYZE). The statement is prepared once per connection and variant (a named statement
 * on PostgreSQL), as it runs for every message and planning it cost more than running it.
 */
export async function storeMessage(db: Db, input: StoreInput, guard: StoreGuard | null, eventsFrom: EventsFrom): Promise<{ message: MessageRow; session: SessionFacts } | undefined> {
  const fromVisitor = input.senderKind === 'visitor';
  const toVisitor = input.senderKind === 'agent' && input.visibility === 'all';
  const senderName = fromVisitor ? 's.visitor_name' : input.senderKind === 'agent' ? 's.agent_name' : 'null';
  const event = eventsFrom('conversations.message.stored', {
    cte: 'm',
    tenantId: 'm.tenant_id',
    payload: `jsonb_build_object('sessionId', m.session_id, 'messageId', m.id, 'seq', m.seq, 'type', m.type, 'senderKind', m.sender_kind, 'visibility', m.visibility)`,
  });
  const { rows } = await db.raw(
    `with s as (
       update ${T.sessions} set
         last_seq = last_seq + 1, message_count = message_count + 1,
         unread_agent = unread_agent + ?, unread_visitor = unread_visitor + ?,
         last_message_at = now(), last_message_preview = coalesce(?, last_message_preview)
        where id = ?
          ${guard ? `and state = any(?::text[]) ${guard.agentId ? 'and agent_id = ?' : ''}` : ''}
          ${input.clientMsgId !== null ? `and not exists (select 1 from ${T.messages} where session_id = ? and sender_id = ? and client_msg_id = ?)` : ''}
       returning id, tenant_id, visitor_id, visitor_name, agent_id, agent_name, state, last_seq
     ), m as (
       insert into ${T.messages} (tenant_id, session_id, seq, sender_kind, sender_id, sender_name, type, body, client_msg_id, visibility)
       select s.tenant_id, s.id, s.last_seq, ?, ?, ${senderName}, ?, ?::jsonb, ?, ? from s
       returning *
     ), e as (?)
     select row_to_json(m) as message, json_build_object('id', s.id, 'tenant_id', s.tenant_id, 'visitor_id', s.visitor_id, 'visitor_name', s.visitor_name,
       'agent_id', s.agent_id, 'agent_name', s.agent_name, 'state', s.state) as session from m, s`,
    [
      fromVisitor ? 1 : 0, toVisitor ? 1 : 0, input.preview?.slice(0, 200) ?? null,
      input.sessionId,
      ...(guard ? [guard.states, ...(guard.agentId ? [guard.agentId] : [])] : []),
      ...(input.clientMsgId !== null ? [input.sessionId, input.senderId, input.clientMsgId] : []),
      input.senderKind, input.senderId, input.type, JSON.stringify(input.body), input.clientMsgId, input.visibility,
      event,
    ],
  ).options({ name: `conversations.store-message.${input.senderKind}.${guard ? (guard.agentId ? 'agent' : 'state') : 'none'}.${input.clientMsgId !== null ? 'retry' : 'once'}` });
  if (!rows[0]) return undefined;
  return { message: fromJson<MessageRow>(rows[0].message, ['created_at']), session: rows[0].session as SessionFacts };
}

/** `row_to_json` gives timestamps as strings; rows read normally have Dates. */
function fromJson<R>(row: Record<string, unknown>, dates: readonly string[]): R {
  for (const k of dates) if (typeof row[k] === 'string') row[k] = new Date(row[k] as string);
  return row as R;
}
