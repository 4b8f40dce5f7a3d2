import t from 'tap';
import { world, emit, windowed } from './helpers.ts';
import { StoreQueue } from '../src/services/store-queue.ts';
import type { StoreItem } from '../src/db/messages.ts';

// Messages sent at once share store statements (services/store-queue.ts); each still gets its own
// seq, counters and domain event, and one bad message does not take the others down with it.
const w = await world(t);
const tenant = await w.app.tenant('batch');
await w.agent('batch', { capacity: 60 });
const knex = w.app.db.knex;

async function chats(n: number) {
  return Promise.all(Array.from({ length: n }, async (_, i) => {
    const v = await w.visitor('batch', `B${i}`);
    const s = await w.start(v.token, { name: `B${i}` });
    return { v, s, socket: await w.socket('visitor', v.token) };
  }));
}
/** Counts the store statements run while `fn` runs, and the most that were out at once. */
async function statements<T>(fn: () => Promise<T>): Promise<{ result: T; count: number; peak: number }> {
  let count = 0;
  let out = 0;
  let peak = 0;
  const isStore = (q: { sql?: string }) => !!q?.sql?.includes('into conversations_messages');
  const sent = (q: { sql: string }) => {
    if (!isStore(q)) return;
    count++;
    peak = Math.max(peak, ++out);
  };
  const answered = (_: unknown, q: { sql: string }) => {
    if (isStore(q)) out--;
  };
  knex.on('query', sent).on('query-response', answered).on('query-error', answered);
  try {
    const result = await fn();
    return { result, count, peak };
  } finally {
    knex.off('query', sent).off('query-response', answered).off('query-error', answered);
  }
}

t.test('messages sent at once share statements, each stored once in order with its event and counters', async (t) => {
  const people = await chats(30);
  const PER = 6;
  const { result: acks, count } = await statements(() => Promise.all(people.map((p) =>
    windowed(Array.from({ length: PER }, (_, k) => () => emit(p.socket, 'conv:send', { sessionId: p.s.id, clientMsgId: `b-${k}`, type: 'text', body: { text: `${p.s.code} #${k}` } }))))));
  t.ok(acks.flat().every((a) => a.ok), 'every send acknowledged');
  // PGlite runs a statement to its end within the turn that started it, so sends never overlap there.
  if (w.app.db.kind === 'postgres') t.ok(count < 30 * PER, `fewer statements (${count}) than messages (${30 * PER})`);
  else t.ok(count <= 30 * PER, `no more statements (${count}) than messages`);

  for (const [i, p] of people.entries()) {
    const rows = await knex('conversations_messages').where({ session_id: p.s.id, sender_kind: 'visitor' }).orderBy('seq');
    t.same(rows.map((r) => r.body.text), Array.from({ length: PER }, (_, k) => `${p.s.code} #${k}`), `session ${i}: each message once, in the order sent`);
    t.same(acks[i].map((a) => a.data.message.seq), rows.map((r) => r.seq), `session ${i}: each ack names its own stored seq`);
    t.ok(rows.every((r) => r.sender_name === `B${i}`), `session ${i}: the sender's name is the session's`);
    const session = await knex('conversations_sessions').where({ id: p.s.id }).first();
    t.equal(session.last_seq, rows[rows.length - 1].seq, `session ${i}: last_seq follows`);
    t.equal(session.unread_agent, PER, `session ${i}: unread for the agent counts each message`);
    t.equal(session.last_message_preview, `${p.s.code} #${PER - 1}`, `session ${i}: preview is the last message`);
  }
  const ids = people.map((p) => p.s.id);
  const events = await knex('domain_events').where({ tenant_id: tenant.id, type: 'conversations.message.stored' }).whereRaw(`payload->>'sessionId' = any(?)`, [ids]).whereRaw(`payload->>'senderKind' = 'visitor'`);
  t.equal(events.length, 30 * PER, 'one domain event per message');
  t.equal(new Set(events.map((e) => e.payload.messageId)).size, 30 * PER, 'each for its own message');
});

t.test('a batch of many sessions: one statement, each message with its own seq, counters and event', async (t) => {
  const people = await chats(12);
  const queue = new StoreQueue(knex, (type, from) => w.app.kernel.outbox.insertFrom(knex, 'conversations', type, from), { concurrency: 1, maxBatch: 64 });
  const before = await knex('conversations_sessions').whereIn('id', people.map((p) => p.s.id));
  const was = (i: number) => before.find((b) => b.id === people[i].s.id);
  t.ok(before.every((b) => b.state === 'active' && b.agent_id), 'all assigned');
  const item = (i: number): StoreItem => ({
    input: { sessionId: people[i].s.id, senderKind: i % 2 ? 'visitor' : 'agent', senderId: i % 2 ? people[i].v.visitorId : was(i).agent_id, type: 'text', body: { text: `m${i}` }, clientMsgId: `d-${i}`, visibility: 'all', preview: `m${i}` },
    guard: i % 2 ? { states: ['queued', 'active'] } : { states: ['active'], agentId: was(i).agent_id },
  });
  // The first holds the only slot; the other eleven wait and go as one statement.
  const { result, count } = await statements(() => Promise.all(people.map((_, i) => queue.store(item(i)))));
  t.equal(count, 2, 'the first alone, then the eleven in one statement');
  for (const [i, p] of people.entries()) {
    const then = was(i);
    const now = await knex('conversations_sessions').where({ id: p.s.id }).first();
    t.equal(result[i]?.message.seq, then.last_seq + 1, `message ${i}: the session's next seq`);
    t.equal(result[i]?.message.sender_name, i % 2 ? `B${i}` : now.agent_name, `message ${i}: the sender's name from the session`);
    t.same([now.last_seq, now.unread_agent, now.unread_visitor, now.last_message_preview],
      [then.last_seq + 1, then.unread_agent + (i % 2), then.unread_visitor + (i % 2 ? 0 : 1), `m${i}`], `message ${i}: counters and preview of its own session`);
    const events = await knex('domain_events').whereRaw(`payload->>'messageId' = ?`, [result[i]!.message.id]);
    t.equal(events.length, 1, `message ${i}: its domain event`);
  }
});

t.test('one message failing its batch: the others are stored, it alone gets the error', async (t) => {
  const people = await chats(5);
  // A real failure inside the statement: a constraint that one message breaks.
  await knex.raw(`alter table conversations_messages add constraint test_no_boom check (client_msg_id is distinct from 'boom')`);
  t.teardown(() => knex.raw('alter table conversations_messages drop constraint test_no_boom'));
  const queue = new StoreQueue(knex, (type, from) => w.app.kernel.outbox.insertFrom(knex, 'conversations', type, from), { concurrency: 1, maxBatch: 64 });
  const item = (i: number, clientMsgId: string): StoreItem => ({
    input: { sessionId: people[i].s.id, senderKind: 'visitor', senderId: people[i].v.visitorId, type: 'text', body: { text: clientMsgId }, clientMsgId, visibility: 'all', preview: clientMsgId },
    guard: { states: ['queued', 'active'] },
  });
  const before = await knex('conversations_sessions').where({ id: people[2].s.id }).first();
  // The first runs alone and holds the only slot; the next four wait and go as one batch.
  const { result, count, peak } = await statements(() => Promise.allSettled([item(0, 'first'), item(1, 'ok-1'), item(2, 'boom'), item(3, 'ok-3'), item(4, 'ok-4')].map((it) => queue.store(it))));
  t.equal(count, 1 + 1 + 4, 'the first alone, the batch of four, then each of the four alone');
  t.equal(peak, 1, 'one statement at a time, retries included: the limit holds');
  t.equal(result[2].status, 'rejected', 'the bad message gets its error');
  t.match((result[2] as PromiseRejectedResult).reason, { code: '23514' });
  for (const i of [0, 1, 3, 4]) {
    t.equal(result[i].status, 'fulfilled');
    const stored = (result[i] as PromiseFulfilledResult<Awaited<ReturnType<StoreQueue['store']>>>).value;
    t.equal(stored?.message.session_id, people[i].s.id, `message ${i} stored in its session`);
  }
  const rows = await knex('conversations_messages').whereIn('session_id', people.map((p) => p.s.id)).where({ sender_kind: 'visitor' });
  t.same(rows.map((r) => r.client_msg_id).sort(), ['first', 'ok-1', 'ok-3', 'ok-4'], 'nothing of the bad one, nothing twice');
  const bad = await knex('conversations_sessions').where({ id: people[2].s.id }).first();
  t.same([bad.last_seq, bad.message_count, bad.unread_agent], [before.last_seq, before.message_count, before.unread_agent], 'its session unchanged');
});

t.test('a guard or client id refusing one message of a batch leaves the others', async (t) => {
  const people = await chats(3);
  const queue = new StoreQueue(knex, (type, from) => w.app.kernel.outbox.insertFrom(knex, 'conversations', type, from), { concurrency: 1, maxBatch: 64 });
  const item = (i: number, clientMsgId: string, states: ('queued' | 'active')[] = ['queued', 'active']): StoreItem => ({
    input: { sessionId: people[i].s.id, senderKind: 'visitor', senderId: people[i].v.visitorId, type: 'text', body: { text: clientMsgId }, clientMsgId, visibility: 'all', preview: clientMsgId },
    guard: { states },
  });
  await queue.store(item(1, 'dup'));
  const out = await Promise.all([item(0, 'a'), item(1, 'dup'), item(2, 'c', ['queued'])].map((it) => queue.store(it)));
  t.equal(out[0]?.message.client_msg_id, 'a', 'stored');
  t.equal(out[1], undefined, 'a client id stored already: nothing written');
  t.equal(out[2], undefined, 'a guard that no longer holds (the session is active): nothing written');
  t.equal(Number((await knex('conversations_messages').where({ session_id: people[1].s.id, client_msg_id: 'dup' }).count('* as n'))[0].n), 1);
});

t.test('a batch takes one message per session; a second for the same session waits for the next', async (t) => {
  const [p] = await chats(1);
  const queue = new StoreQueue(knex, (type, from) => w.app.kernel.outbox.insertFrom(knex, 'conversations', type, from), { concurrency: 1, maxBatch: 64 });
  const item = (clientMsgId: string): StoreItem => ({
    input: { sessionId: p.s.id, senderKind: 'visitor', senderId: p.v.visitorId, type: 'text', body: { text: clientMsgId }, clientMsgId, visibility: 'all', preview: clientMsgId },
    guard: { states: ['queued', 'active'] },
  });
  const { result, count } = await statements(() => Promise.all(['x1', 'x2', 'x3'].map((c) => queue.store(item(c)))));
  t.same(result.map((r) => r?.message.seq), [1, 2, 3].map((n) => n + (result[0]!.message.seq - 1)), 'each stored, consecutive seqs in arrival order');
  t.equal(count, 3, 'three statements');
});
