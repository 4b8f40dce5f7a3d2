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

/** One message to store, and what must still hold for it. */
export interface StoreItem {
  input: StoreInput;
  /** null: no check (system messages, written by the caller's own transaction that locked the session). */
  guard: StoreGuard | null;
}

export type Stored = { message: MessageRow; session: SessionFacts };

/**
 * Stores messages of distinct sessions in ONE statement: each session's counters are bumped (the
 * UPDATE's row lock orders a session's messages and hands out `seq`), the messages are inserted and
 * their domain events recorded. One statement is atomic without BEGIN/COMMIT, so a batch costs a
 * single round trip and a single commit; system messages run it inside their caller's transaction.
 * A sender's name is the one the session has for them. Returns a result per item, in order:
 * undefined where nothing was written (its guard failed or its client id was stored already; the
 * caller then finds out which). A retry racing its first attempt past the NOT EXISTS meets the
 * unique index instead (23505, failing the whole statement).
 *
 * Sessions are found by primary key only. With `tenant_id` in the WHERE as well, the planner
 * could take the partial index of open sessions (its predicate matches the state guard) and walk
 * all of the tenant's open sessions: ~1 ms a message at 1,000 of them (bench message-path,
 * EXPLAIN ANALYZE). The statement is prepared once per connection (a named statement on
 * PostgreSQL), as planning it costs more than running it. The items arrive as parallel arrays,
 * unnested behind an `offset 0` fence: unnest of an array the planner can see is estimated at its
 * length, so PostgreSQL would plan every execution afresh for its batch size (pgbench: 2.4x the
 * time of a one-row statement for a batch of one); behind the fence every batch size has the same
 * estimate (10 rows) and the one generic plan serves them all. That plan is kept for the life of
 * the connection, so it must not depend on how big the tables were when it was made: written
 * plainly, a plan made at the start of the bench hashed the whole session table for the join and
 * read the whole message table into a hash for the NOT EXISTS (4,791 scans of messages in 90 s,
 * p99 up from 16 to 170 ms as the table grew). `= any(array[…])` is not a hashable join clause and
 * `offset 0` keeps the NOT EXISTS from becoming a hashed subplan: both are looked up by index, a
 * row at a time.
 */
export async function storeMessages(db: Db, items: readonly StoreItem[], eventsFrom: EventsFrom): Promise<(Stored | undefined)[]> {
  const sessionIds = new Set(items.map((it) => it.input.sessionId));
  // UPDATE … FROM updates a row once however many items name it: the others would vanish.
  if (sessionIds.size !== items.length) throw new Error('storeMessages: one message per session in a batch');
  // In session order, so that two processes' batches lock the sessions they share in the same order
  // (the plan updates them in array order) rather than deadlock.
  const byKey = items.map((_, n) => n).sort((a, b) => (items[a].input.sessionId < items[b].input.sessionId ? -1 : 1));
  // Arrays with nulls are fine for both drivers; knex's binding type only lists arrays without.
  const col = <V extends string | number | null>(f: (it: StoreItem, n: number) => V) => byKey.map((n) => f(items[n], n)) as Knex.Value;
  const event = eventsFrom('conversations.message.stored', {
    cte: 'm',
    tenantId: 'm.tenant_id',
    payload: `jsonb_build_object('sessionId', m.session_id, 'messageId', m.id, 'seq', m.seq, 'type', m.type, 'senderKind', m.sender_kind, 'visibility', m.visibility)`,
  });
  const { rows } = await db.raw(
    `with i as (
       select i.* from (
         select ?::int[] a1, ?::uuid[] a2, ?::text[] a3, ?::uuid[] a4, ?::text[] a5, ?::text[] a6, ?::text[] a7, ?::text[] a8, ?::text[] a9,
           ?::text[] a10, ?::uuid[] a11, ?::int[] a12, ?::int[] a13 offset 0
       ) p, unnest(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13)
         as i(ord, session_id, sender_kind, sender_id, type, body, client_msg_id, visibility, preview, states, guard_agent, to_agent, to_visitor)
     ), s as (
       update ${T.sessions} cs set
         last_seq = cs.last_seq + 1, message_count = cs.message_count + 1,
         unread_agent = cs.unread_agent + i.to_agent, unread_visitor = cs.unread_visitor + i.to_visitor,
         last_message_at = now(), last_message_preview = coalesce(i.preview, cs.last_message_preview)
         from i
        where cs.id = any(array[i.session_id])
          and (i.states is null or cs.state = any(string_to_array(i.states, ',')))
          and (i.guard_agent is null or cs.agent_id = i.guard_agent)
          and (i.client_msg_id is null or not exists (
            select 1 from ${T.messages} x where x.session_id = i.session_id and x.sender_id = i.sender_id and x.client_msg_id = i.client_msg_id offset 0))
       returning cs.id, cs.tenant_id, cs.visitor_id, cs.visitor_name, cs.agent_id, cs.agent_name, cs.state, cs.last_seq,
         i.ord, i.sender_kind, i.sender_id, i.type, i.body, i.client_msg_id, i.visibility
     ), m as (
       insert into ${T.messages} (tenant_id, session_id, seq, sender_kind, sender_id, sender_name, type, body, client_msg_id, visibility)
       select s.tenant_id, s.id, s.last_seq, s.sender_kind, s.sender_id,
         case s.sender_kind when 'visitor' then s.visitor_name when 'agent' then s.agent_name end,
         s.type, s.body::jsonb, s.client_msg_id, s.visibility from s
       returning *
     ), e as (?)
     select s.ord, row_to_json(m) as message, json_build_object('id', s.id, 'tenant_id', s.tenant_id, 'visitor_id', s.visitor_id, 'visitor_name', s.visitor_name,
       'agent_id', s.agent_id, 'agent_name', s.agent_name, 'state', s.state) as session from m join s on s.id = m.session_id`,
    [
      col((_, n) => n), col((it) => it.input.sessionId), col((it) => it.input.senderKind), col((it) => it.input.senderId),
      col((it) => it.input.type), col((it) => JSON.stringify(it.input.body)), col((it) => it.input.clientMsgId), col((it) => it.input.visibility),
      col((it) => it.input.preview?.slice(0, 200) ?? null), col((it) => it.guard?.states.join(',') ?? null), col((it) => it.guard?.agentId ?? null),
      col((it) => (it.input.senderKind === 'visitor' ? 1 : 0)), col((it) => (it.input.senderKind === 'agent' && it.input.visibility === 'all' ? 1 : 0)),
      event,
    ],
  ).options({ name: 'conversations.store-messages' });
  const out: (Stored | undefined)[] = new Array(items.length).fill(undefined);
  for (const r of rows as { ord: number; message: Record<string, unknown>; session: SessionFacts }[]) {
    out[r.ord] = { message: fromJson<MessageRow>(r.message, ['created_at']), session: r.session };
  }
  return out;
}

/** `row_to_json` gives timestamps as strings; rows read normally have Dates. */
function fromJson<R>(row: Record<string, unknown>, dates: readonly string[]): R {
  for (const k of dates) if (typeof row[k] === 'string') row[k] = new Date(row[k] as string);
  return row as R;
}
