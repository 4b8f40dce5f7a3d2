/**
 * Two Parley processes on one PostgreSQL database and one Redis: a visitor chats through process A,
 * its agent is connected to process B. In the middle of a burst of messages both ways, A is killed
 * with SIGKILL; the visitor's connection goes (through a load balancer) to B, resyncs from its
 * cursor and retries what was not acknowledged with the same clientMsgId. By counting: every
 * acknowledged message is stored once under the id its ack named, the agent has every visitor
 * message once and was pushed every visitor message, the visitor has every agent message, and for
 * the agent the session simply goes on. No ack leaves before its pushes are in Redis, and a message
 * stored by A but pushed by nobody is pushed by B when the visitor's retry finds it stored.
 */
import net from 'node:net';
import pg from 'pg';
import t from 'tap';
import type { Socket } from 'socket.io-client';
import { createDatabase, type BenchDatabase } from '../../bench/lib/database.ts';
import { expectJson } from '../../bench/lib/http.ts';
import { operator, startParleyServer, type ParleyServer } from '../../bench/lib/parley.ts';
import { collect, connect } from '../helpers/sockets.ts';
import { waitFor } from './burst.ts';
import { VisitorClient, type StoredMessage } from './visitor-client.ts';

const VISITOR_MESSAGES = 120;
/** Half sent before the kill, half while the visitor is away from A. */
const AGENT_MESSAGES = 60;
const skip = !process.env.DATABASE_URL
  ? 'DATABASE_URL is not set: two processes need one shared PostgreSQL database (PGlite cannot be shared); CI sets it'
  : !process.env.REDIS_URL
    ? 'REDIS_URL is not set: the processes reach each other through Redis; CI sets it'
    : false;
t.setTimeout(180_000);

/** What a load balancer does: each new connection goes to the first backend that accepts it. */
async function balancer(ports: number[]) {
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    const attempt = (i: number) => {
      if (i >= ports.length || client.destroyed) return client.destroy();
      const upstream = net.connect(ports[i]!, '127.0.0.1');
      upstream.once('error', () => attempt(i + 1));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        open.add(upstream);
        // A backend that dies takes its clients' connections with it, as behind a real balancer.
        upstream.on('error', () => upstream.destroy());
        upstream.on('close', () => { open.delete(upstream); client.destroy(); });
        client.on('close', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => {
      for (const s of open) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The agent's view of one session as the console keeps it (protocol §1): messages by seq, a cursor
 * over the contiguous ones, and a sync whenever a push or an ack leaves a gap before it.
 */
class AgentThread {
  readonly shown = new Map<number, StoredMessage>();
  /** Seqs in the order the cursor passed them: what the agent was shown, in order. */
  readonly delivered: number[] = [];
  /** Every conv:message push of this session, as it arrived. */
  readonly pushes: StoredMessage[] = [];
  /** Syncs that failed; a failure thrown from a push handler would end the test process. */
  readonly errors: string[] = [];
  cursor = 0;
  private syncing: Promise<void> | null = null;
  private again = false;

  constructor(private readonly socket: Socket, private readonly sessionId: string) {
    socket.on('conv:message', (m: StoredMessage & { sessionId: string }) => {
      if (m.sessionId !== sessionId) return;
      this.pushes.push(m);
      this.take(m);
    });
  }

  /** A pushed or acknowledged message. */
  take(m: StoredMessage) {
    this.add(m);
    if (m.seq > this.cursor) this.sync().catch((err) => this.errors.push(String(err)));
  }

  private add(m: StoredMessage) {
    if (!this.shown.has(m.seq)) this.shown.set(m.seq, m);
    while (this.shown.has(this.cursor + 1)) this.delivered.push(++this.cursor);
  }

  sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.again = false;
        for (;;) {
          const ack = await this.socket.timeout(10_000).emitWithAck('conv:sync', { sessionId: this.sessionId, afterSeq: this.cursor, limit: 500 });
          if (!ack.ok) throw new Error(`agent sync refused: ${JSON.stringify(ack.error)}`);
          for (const m of ack.data.messages as StoredMessage[]) this.add(m);
          this.cursor = Math.max(this.cursor, ack.data.lastSeq);
          if (!ack.data.hasMore) break;
        }
      } while (this.again);
    })().finally(() => { this.syncing = null; });
    return this.syncing;
  }
}

t.test('the visitor\'s process dies mid-burst: the visitor goes on through the other process and nothing is lost or doubled', { skip }, async (t) => {
  let db: BenchDatabase | null = null;
  const servers: ParleyServer[] = [];
  let lb: Awaited<ReturnType<typeof balancer>> | null = null;
  let visitor: VisitorClient | null = null;
  let sql: pg.Client | null = null;
  t.teardown(async () => {
    visitor?.close();
    await lb?.close();
    await sql?.end();
    for (const s of servers) await s.child.kill();
    await db?.drop();
  });
  db = await createDatabase(process.env.DATABASE_URL!, 'parley_t_failover');
  const env = { DATABASE_URL: db.url, REDIS_URL: process.env.REDIS_URL! };
  // The first migrates the database; the second finds it ready.
  servers.push(await startParleyServer({ env }));
  servers.push(await startParleyServer({ env }));
  const [a, b] = servers as [ParleyServer, ParleyServer];
  lb = await balancer([a, b].map((s) => Number(new URL(s.url).port)));

  await operator(a.url, 'POST', '/api/operator/tenants', { slug: 'failover', name: 'failover', edition: 'standard', seats: 5, addons: [] });
  const password = 'correct horse battery';
  const { id: agentId } = await operator(a.url, 'POST', '/api/operator/tenants/failover/members', { email: 'agent@failover.test', name: 'Agent', password, roleKey: 'agent' });
  const { token: agentToken } = await expectJson(b.url, 'POST', '/api/auth/login', { tenant: 'failover', email: 'agent@failover.test', password });
  const agentSocket = await connect(t, b.url, 'agent', { token: agentToken });
  let agentDisconnects = 0;
  agentSocket.on('disconnect', () => { agentDisconnects++; });
  const agentApi = (method: string, route: string, body?: unknown) => expectJson(b.url, method, `/api/conversations${route}`, body, { token: agentToken });
  await waitFor('the agent online', async () => (await agentApi('GET', '/agent/me')).status === 'idle', 30_000);

  const v = await expectJson(a.url, 'POST', '/api/visitor/session', { tenant: 'failover', name: 'Visitor' });
  const { session } = await expectJson(a.url, 'POST', '/api/conversations/visitor/sessions', {}, { token: v.token });
  await waitFor('the session assigned to the agent', async () => (await agentApi('GET', `/sessions/${session.id}`)).state === 'active', 30_000);
  const thread = new AgentThread(agentSocket, session.id);
  await thread.sync();
  visitor = new VisitorClient(lb.url, v.token, session.id);
  let visitorDisconnects = 0;
  visitor.socket.on('disconnect', () => { visitorDisconnects++; });
  await waitFor('the visitor socket', () => visitor!.socket.connected, 30_000);

  const agentAcked = new Map<string, string>();
  /** The agent's side of the burst: a window of 16 unacknowledged sends, as the SDKs keep. */
  const agentBurst = async (from: number, to: number) => {
    for (let n = from; n < to; n += 16) {
      await Promise.all(Array.from({ length: Math.min(16, to - n) }, async (_, i) => {
        const clientMsgId = `agent-${n + i}`;
        const ack = await agentSocket.timeout(10_000).emitWithAck('conv:send', { sessionId: session.id, clientMsgId, type: 'text', body: { text: `reply ${n + i}` } });
        if (!ack.ok) throw new Error(`agent send refused: ${JSON.stringify(ack.error)}`);
        agentAcked.set(clientMsgId, ack.data.message.id);
        thread.take(ack.data.message);
      }));
    }
  };

  for (let n = 0; n < VISITOR_MESSAGES; n++) visitor.send(`message ${n}`);
  const firstHalf = agentBurst(0, AGENT_MESSAGES / 2);
  firstHalf.catch(() => undefined); // awaited after the kill; until then a failure must not go unhandled
  await waitFor('a third of the visitor\'s burst acknowledged', () => visitor!.acked.size >= VISITOR_MESSAGES / 3, 60_000);
  const sessionEvents = collect<{ id: string; state: string }>(agentSocket, 'conv:session');
  a.child.child.kill('SIGKILL');
  await a.child.exited;
  const ackedBeforeKill = new Map(visitor.acked);
  const cursorAtKill = visitor.cursor;
  t.ok(ackedBeforeKill.size < VISITOR_MESSAGES, `killed mid-burst (${ackedBeforeKill.size} of ${VISITOR_MESSAGES} acknowledged)`);
  t.ok(cursorAtKill > 0, `the visitor has a cursor to resync from (${cursorAtKill}), not the start`);

  await firstHalf;
  await agentBurst(AGENT_MESSAGES / 2, AGENT_MESSAGES);
  await waitFor('every visitor message acknowledged through B', () => visitor!.acked.size === VISITOR_MESSAGES, 60_000);
  t.equal(visitorDisconnects, 1, 'the visitor lost its connection once, when A died');
  t.ok(visitor.socket.connected, 'and is connected again (through B, the only one left)');

  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const { rows: stored } = await sql.query<{ id: string; seq: number; sender_kind: string; client_msg_id: string | null }>(
    'select id, seq, sender_kind, client_msg_id from conversations_messages where session_id = $1 order by seq', [session.id]);
  const storedBy = (kind: string) => stored.filter((m) => m.sender_kind === kind);
  const byClientId = (kind: string) => {
    const out = new Map<string, string[]>();
    for (const m of storedBy(kind)) out.set(m.client_msg_id!, [...(out.get(m.client_msg_id!) ?? []), m.id]);
    return out;
  };
  const visitorStored = byClientId('visitor');
  const agentStored = byClientId('agent');
  t.equal(storedBy('visitor').length, VISITOR_MESSAGES, `each of the ${VISITOR_MESSAGES} visitor messages is stored`);
  t.equal(visitorStored.size, VISITOR_MESSAGES, 'no visitor clientMsgId stored twice');
  t.same([...visitor.acked].filter(([cid, id]) => visitorStored.get(cid)?.[0] !== id), [], 'every visitor ack names the message stored for it');
  t.same([...ackedBeforeKill].filter(([cid, id]) => visitor!.acked.get(cid) !== id), [], 'what A acknowledged before it died is what is stored');
  t.same(visitor.conflicts, [], 'no retry was acknowledged as a different message');
  t.equal(storedBy('agent').length, AGENT_MESSAGES, `each of the ${AGENT_MESSAGES} agent messages is stored once`);
  t.same([...agentAcked].filter(([cid, id]) => agentStored.get(cid)?.length !== 1 || agentStored.get(cid)![0] !== id), [], 'every agent ack names the message stored for it');

  const lastSeq = stored[stored.length - 1]!.seq;
  await waitFor('the agent has every message', () => thread.cursor >= lastSeq, 30_000);
  await waitFor('the visitor has every message', () => visitor!.cursor >= lastSeq, 30_000);
  const idsAt = (view: Map<number, StoredMessage>) => stored.map((m) => view.get(m.seq)?.id);
  t.same(idsAt(thread.shown), stored.map((m) => m.id), 'the agent has every stored message under its seq');
  t.same(thread.delivered, stored.map((m) => m.seq), 'and was shown each once, in seq order');
  // Pushes may repeat (a retry answered as a duplicate is pushed again, for a push its first
  // process may have died before sending); what matters is that none was left to a later sync.
  t.same(stored.filter((m) => m.sender_kind === 'visitor' && !thread.pushes.some((p) => p.seq === m.seq)).map((m) => m.seq), [], 'every visitor message reached the agent as a push, none only by a later sync');
  t.same(thread.errors, [], 'every agent sync was answered');
  t.same(idsAt(visitor.seen), stored.map((m) => m.id), 'the visitor has every stored message, agent replies included, each under its seq');
  t.equal(visitor.seen.size, stored.length, 'and nothing else');

  // For the agent, the visitor's process dying changes nothing about the session.
  t.equal(agentDisconnects, 0, 'the agent stayed connected to B');
  t.same(sessionEvents.filter((s) => s.id === session.id && s.state !== 'active'), [], 'the agent was told of no change of state');
  const mine = (await agentApi('GET', '/sessions/mine')).sessions as any[];
  t.match(mine, [{ id: session.id, state: 'active', agent: { id: agentId } }], 'the session is still among the agent\'s active sessions');
  t.match(await agentApi('GET', `/sessions/${session.id}`), {
    state: 'active', lastSeq, messageCount: stored.length, unread: VISITOR_MESSAGES, closedAt: null,
  }, 'with its counters matching what is stored');
  t.match(await agentApi('GET', '/agent/me'), { status: 'idle', activeCount: 1 }, 'and the agent is still online with it');
  const visitorPushes = thread.pushes.filter((m) => m.sender.kind === 'visitor').map((m) => m.seq);
  t.comment(`acknowledged by A before it died: ${ackedBeforeKill.size}; retries answered as duplicates: ${visitor.duplicateAcks}; `
    + `visitor messages the agent got only by a sync: ${VISITOR_MESSAGES - visitorPushes.length}; `
    + `visitor pushes arriving after a higher seq: ${visitorPushes.filter((seq, i) => visitorPushes.slice(0, i).some((x) => x > seq)).length}`);
});
