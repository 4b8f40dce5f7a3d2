import t from 'tap';
import type { Socket } from 'socket.io-client';
import { world, emit, until, windowed, type Ack } from './helpers.ts';

const w = await world(t);
await w.app.tenant('deliver');
const agent = await w.agent('deliver', { capacity: 50 });

async function chat(name: string) {
  const v = await w.visitor('deliver', name);
  const s = await w.start(v.token, { name });
  return { v, s };
}
const storedCount = async (sessionId: string) =>
  Number((await w.app.db.knex('conversations_messages').where({ session_id: sessionId, sender_kind: 'visitor' }).count('* as n'))[0].n);

t.test('a retried client message id is stored once (sequential, concurrent, REST and socket)', async (t) => {
  const { v, s } = await chat('Retry');
  const vs = await w.socket('visitor', v.token);
  const msg = { sessionId: s.id, clientMsgId: 'retry-1', type: 'text', body: { text: 'only once' } };
  const first = await emit(vs, 'conv:send', msg);
  const second = await emit(vs, 'conv:send', msg);
  t.equal(first.data.duplicate, false);
  t.equal(second.data.duplicate, true, 'the retry is recognised');
  t.equal(second.data.message.id, first.data.message.id, 'and answered with the stored message');
  const rest = await w.req('POST', `/api/conversations/visitor/sessions/${s.id}/messages`, v.token, { clientMsgId: 'retry-1', type: 'text', body: { text: 'only once' } });
  t.equal(rest.json.message.id, first.data.message.id, 'a retry over REST finds it too');

  const burst = await Promise.all(Array.from({ length: 8 }, () => emit(vs, 'conv:send', { ...msg, clientMsgId: 'retry-2', body: { text: 'racing' } })));
  t.ok(burst.every((a) => a.ok), 'every concurrent retry is acknowledged');
  t.equal(new Set(burst.map((a) => a.data.message.id)).size, 1, 'all with the same message');
  t.equal(burst.filter((a) => !a.data.duplicate).length, 1, 'exactly one stored it');
  t.equal(await storedCount(s.id), 2, 'two messages stored in all');

  // Client ids are per sender: the agent may use the same one without clashing.
  const mine = await emit(agent.socket, 'conv:send', { ...msg, body: { text: 'agent says' } });
  t.equal(mine.data.duplicate, false);
  t.not(mine.data.message.id, first.data.message.id);
});

t.test('an agent reconnecting in the middle of a burst loses nothing and sees nothing twice', async (t) => {
  const { v, s } = await chat('Burst');
  const vs = await w.socket('visitor', v.token);
  const as = await w.socket('agent', agent.token, { reconnection: false });
  const N = 60;
  // The client of docs/protocol.md §1: `cursor` is the seq up to which it has everything; pushes
  // beyond cursor + 1 are shown but leave a gap that a sync fills.
  const seen = new Set<number>();
  let cursor = 0;
  let pushes = 0;
  const show = (m: any) => {
    if (m.sessionId === s.id && m.sender.kind === 'visitor') seen.add(m.seq);
  };
  as.on('conv:message', (m: any) => {
    pushes += 1;
    show(m);
    if (m.seq === cursor + 1) cursor = m.seq;
  });
  const syncAll = async (sock: Socket) => {
    for (;;) {
      const r = await emit(sock, 'conv:sync', { sessionId: s.id, afterSeq: cursor, limit: 7 });
      t.ok(r.ok);
      for (const m of r.data.messages) show(m);
      cursor = Math.max(cursor, r.data.lastSeq);
      if (!r.data.hasMore) return;
    }
  };

  const send = (i: number) => emit(vs, 'conv:send', { sessionId: s.id, clientMsgId: `burst-${i}`, type: 'text', body: { text: `#${i}` } }, 20000);
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => () => send(from + k));
  const results: Ack[] = [];
  results.push(...(await windowed(range(0, 20))));
  await until(() => seen.size > 5);
  as.disconnect(); // drops in the middle of the burst: pushes during the gap are missed
  const gap = windowed(range(20, 40));
  await new Promise((r) => setTimeout(r, 30));
  results.push(...(await gap));
  as.connect();
  await new Promise<void>((r) => as.once('connect', () => r()));
  const tail = windowed(range(40, N)); // the burst goes on while the agent catches up
  await syncAll(as);
  results.push(...(await tail));
  t.ok(results.every((a) => a.ok), 'every message acknowledged');
  await syncAll(as);
  const storedSeqs: number[] = await w.app.db.knex('conversations_messages').where({ session_id: s.id, sender_kind: 'visitor' }).orderBy('seq').pluck('seq');
  t.equal(storedSeqs.length, N, `${N} messages stored`);
  t.same([...seen.keys()].sort((x, y) => x - y), storedSeqs, 'the agent has every stored message, each once');
  t.ok(pushes < N + 10, 'pushes were partly missed during the gap and made up by sync');
  t.same(results.map((a) => a.data.message.body.text), Array.from({ length: N }, (_, i) => `#${i}`), 'acks carry the stored messages');
});

t.test('a visitor who loses acknowledgements mid-burst and resends them gets each message stored once', async (t) => {
  const { v, s } = await chat('Flaky');
  const vs = await w.socket('visitor', v.token, { reconnection: false });
  const N = 40;
  const acked = new Set<string>();
  const pending = new Map<string, number>();
  for (let i = 0; i < N; i++) {
    if (i % 8 === 0) await new Promise((r) => setTimeout(r, 5)); // a client's window, roughly
    const id = `flaky-${i}`;
    pending.set(id, i);
    vs.emit('conv:send', { sessionId: s.id, clientMsgId: id, type: 'text', body: { text: `m${i}` } }, (a: Ack) => {
      if (a.ok) {
        acked.add(id);
        pending.delete(id);
      }
    });
    if (i === 25) vs.disconnect(); // the rest of the burst and its acks are lost on the floor
  }
  t.ok(acked.size < N, 'some acknowledgements were lost');
  vs.connect();
  await new Promise<void>((r) => vs.once('connect', () => r()));
  // Resend whatever was not acknowledged, with the same client ids.
  const resent = await windowed([...pending].map(([id, i]) => () => emit(vs, 'conv:send', { sessionId: s.id, clientMsgId: id, type: 'text', body: { text: `m${i}` } })), 4);
  t.same(resent.filter((a) => !a.ok), [], 'every resend acknowledged');
  const rows: Array<{ seq: number; client_msg_id: string }> = await w.app.db.knex('conversations_messages').where({ session_id: s.id, sender_kind: 'visitor' }).orderBy('seq').select('seq', 'client_msg_id');
  t.equal(rows.length, N, 'every message stored exactly once');
  t.equal(new Set(rows.map((r) => r.client_msg_id)).size, N);
  t.same(rows.map((r) => r.seq), [...rows.map((r) => r.seq)].sort((a, b) => a - b));
  t.equal(new Set(rows.map((r) => r.seq)).size, N, 'no seq twice');
});

t.test('one process pushes a session\'s messages in seq order, even when sent all at once', async (t) => {
  const { v, s } = await chat('Ordered');
  const vs = await w.socket('visitor', v.token);
  const pushed: number[] = [];
  const collect = (m: any) => {
    if (m.sessionId === s.id && m.sender.kind === 'visitor') pushed.push(m.seq);
  };
  agent.socket.on('conv:message', collect);
  t.teardown(() => agent.socket.off('conv:message', collect));
  const N = 30; // under the per-connection limit of 32 unanswered events
  const acks = await Promise.all(Array.from({ length: N }, (_, i) => emit(vs, 'conv:send', { sessionId: s.id, clientMsgId: `o-${i}`, type: 'text', body: { text: `#${i}` } }, 20000)));
  t.same(acks.filter((a) => !a.ok).map((a) => a.error), [], 'all acknowledged');
  await until(() => pushed.length === N);
  t.same(pushed, [...pushed].sort((a, b) => a - b), 'pushed in seq order');
  t.equal(new Set(pushed).size, N, 'each once');
});

t.test('a send is not pushed back to the socket it came on; the sender\'s other sockets and the other side get it', async (t) => {
  const { v, s } = await chat('Two tabs');
  const [tab1, tab2] = [await w.socket('visitor', v.token), await w.socket('visitor', v.token)];
  const agentTab2 = await w.socket('agent', agent.token);
  const heard = (socket: Socket) => {
    const got: number[] = [];
    const on = (m: any) => { if (m.sessionId === s.id) got.push(m.seq); };
    socket.on('conv:message', on);
    t.teardown(() => socket.off('conv:message', on));
    return got;
  };
  const [at1, at2, atAgent, atAgentTab2] = [heard(tab1), heard(tab2), heard(agent.socket), heard(agentTab2)];
  // The server pushes before it acknowledges, down the same connection: an echo would arrive first.
  const sent = await emit(tab1, 'conv:send', { sessionId: s.id, clientMsgId: 'tabs-1', type: 'text', body: { text: 'from tab 1' } });
  const seq = sent.data.message.seq;
  await until(() => at2.includes(seq) && atAgent.includes(seq) && atAgentTab2.includes(seq));
  t.same(at1, [], 'the sending tab has the message from its ack only');

  const again = await emit(tab1, 'conv:send', { sessionId: s.id, clientMsgId: 'tabs-1', type: 'text', body: { text: 'from tab 1' } });
  t.equal(again.data.duplicate, true);
  await until(() => at2.filter((x) => x === seq).length === 2);
  t.same(at1, [], 'a retry pushes again to everyone but the retrying socket');

  const reply = await emit(agent.socket, 'conv:send', { sessionId: s.id, clientMsgId: 'tabs-2', type: 'text', body: { text: 'agent here' } });
  const replySeq = reply.data.message.seq;
  await until(() => at1.includes(replySeq) && at2.includes(replySeq) && atAgentTab2.includes(replySeq));
  t.notOk(atAgent.includes(replySeq), 'the agent\'s sending socket is left out too, its other console tab is not');

  const rest = await w.req('POST', `/api/conversations/visitor/sessions/${s.id}/messages`, v.token, { clientMsgId: 'tabs-3', type: 'text', body: { text: 'over REST' } });
  const restSeq = rest.json.message.seq;
  await until(() => at1.includes(restSeq) && at2.includes(restSeq) && atAgent.includes(restSeq));
  t.pass('a REST send is pushed to every socket');
  for (const sock of [tab1, tab2, agentTab2]) sock.disconnect();
});
