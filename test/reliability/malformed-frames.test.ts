/**
 * A malformed-frame run against a real Parley process: several clients send a few thousand random,
 * ill-typed and oversized socket.io frames and REST bodies while a well-behaved visitor chats. The
 * server stays up, answers every bad REST body with a 4xx (never a 5xx), answers bad socket events
 * with `ok: false` and a code (or drops the offending connection), keeps its memory bounded, and
 * the well-behaved visitor gets every message acknowledged without being disconnected.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import t from 'tap';
import { io, type Socket } from 'socket.io-client';
import { requestJson, expectJson, loopback } from '../../bench/lib/http.ts';
import { operator, startParleyServer, type ParleyServer } from '../../bench/lib/parley.ts';
import { VisitorClient } from './visitor-client.ts';

t.setTimeout(300_000);
const SOCKET_FRAMES = 2000;
const REST_BODIES = 600;
const ATTACKERS = 4;
const GOOD_MESSAGES = 300;
// On a loaded machine the attack is cut short after this long; the frames actually sent are counted.
const ATTACK_MS = 90_000;

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const pick = <T>(list: T[]): T => list[crypto.randomInt(list.length)]!;
const randomText = (n: number) => crypto.randomBytes(n).toString('latin1');

/** Payloads that are wrong in every way the schema and the services must catch. */
function badPayload(sessionId: string): unknown {
  return pick<() => unknown>([
    () => null,
    () => 42,
    () => randomText(200),
    () => [1, 2, 3],
    () => ({}),
    () => ({ sessionId: crypto.randomUUID(), clientMsgId: 'x', type: 'text', body: { text: 'not my session' } }),
    () => ({ sessionId: 'not-a-uuid', clientMsgId: 'x', type: 'text', body: { text: 'x' } }),
    () => ({ sessionId, clientMsgId: 'bad id with spaces', type: 'text', body: { text: 'x' } }),
    () => ({ sessionId, clientMsgId: 'a'.repeat(65), type: 'text', body: { text: 'x' } }),
    () => ({ sessionId, clientMsgId: crypto.randomUUID(), type: 'text', body: { text: 'x'.repeat(5001) } }),
    () => ({ sessionId, clientMsgId: crypto.randomUUID(), type: 'text', body: { text: 'nul \u0000 inside' } }),
    () => ({ sessionId, clientMsgId: crypto.randomUUID(), type: 'no-such-type', body: {} }),
    () => ({ sessionId, clientMsgId: crypto.randomUUID(), type: 'text', body: { text: 7 } }),
    () => ({ sessionId, clientMsgId: crypto.randomUUID(), type: 'image', body: { fileId: crypto.randomUUID() } }),
    () => ({ sessionId, afterSeq: -5, limit: 100000 }),
    () => JSON.parse('{"__proto__":{"polluted":true},"sessionId":"x"}'),
    () => { let deep: unknown = 'x'; for (let i = 0; i < 500; i++) deep = { deep }; return { sessionId, clientMsgId: 'deep', type: 'text', body: deep }; },
  ])();
}

const EVENTS = ['conv:send', 'conv:sync', 'conv:read', 'conv:typing', 'no:such:event', '__proto__', 'constructor'];

function connect(url: string, token: string | undefined): Promise<Socket | null> {
  return new Promise((resolve) => {
    const s = io(`${url}/visitor`, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 10_000 });
    s.once('connect', () => resolve(s));
    s.once('connect_error', () => { s.close(); resolve(null); });
  });
}

t.test('malformed and oversized frames and bodies leave the server and other clients unharmed', async (t) => {
  const servers: ParleyServer[] = [];
  const clients: VisitorClient[] = [];
  t.teardown(async () => {
    for (const c of clients) c.close();
    for (const s of servers) await s.stop();
  });
  const server = await startParleyServer({ databaseUrl: process.env.DATABASE_URL || undefined });
  servers.push(server);
  const url = server.url;
  const pid = server.child.ready.pid as number;
  await operator(url, 'POST', '/api/operator/tenants', { slug: 'fuzz', name: 'fuzz', edition: 'standard', seats: 5, addons: [] });

  const visitor = async (i: number) => {
    const v = await expectJson(url, 'POST', '/api/visitor/session', { tenant: 'fuzz' }, { localAddress: loopback(i) });
    const { session } = await expectJson(url, 'POST', '/api/conversations/visitor/sessions', {}, { token: v.token, localAddress: loopback(i) });
    return { token: v.token as string, sessionId: session.id as string };
  };
  const good = await visitor(0);
  const attackers = await Promise.all(Array.from({ length: ATTACKERS }, (_, i) => visitor(i + 1)));
  const wellBehaved = new VisitorClient(url, good.token, good.sessionId);
  clients.push(wellBehaved);
  let goodDisconnects = 0;
  wellBehaved.socket.on('disconnect', () => { goodDisconnects++; });
  if (!wellBehaved.socket.connected) await new Promise<void>((r) => wellBehaved.socket.once('connect', () => r()));
  // Warm up before taking the memory reference, so the JIT and pools are not counted as growth.
  for (let i = 0; i < 20; i++) wellBehaved.send(`warm-up ${i}`);
  const warmDeadline = Date.now() + 60_000;
  while (wellBehaved.acked.size < 20 && Date.now() < warmDeadline) await new Promise((r) => setTimeout(r, 50));
  const rssBefore = rssOf(pid);

  // The well-behaved visitor keeps chatting through the whole run.
  let goodSent = 20;
  const chatter = setInterval(() => {
    if (goodSent < GOOD_MESSAGES) wellBehaved.send(`steady ${goodSent++}`);
  }, 50);
  const attackEnd = Date.now() + ATTACK_MS;
  let framesSent = 0;
  let bodiesSent = 0;

  const ackCodes: Record<string, number> = {};
  let droppedConnections = 0;
  const socketAttack = async (a: { token: string; sessionId: string }, frames: number) => {
    let s = await connect(url, a.token);
    for (let i = 0; i < frames && Date.now() < attackEnd; i++) {
      framesSent++;
      if (!s || !s.connected) {
        droppedConnections++;
        s?.close();
        s = await connect(url, a.token);
        if (!s) continue;
      }
      const kind = crypto.randomInt(100);
      if (kind < 3) {
        // An oversized frame: over the 64 KB limit, the server must drop this connection.
        s.emit('conv:send', { sessionId: a.sessionId, clientMsgId: 'big', type: 'text', body: { text: 'x'.repeat(100_000) } });
        await new Promise((r) => setTimeout(r, 20));
      } else if (kind < 8) {
        // A raw engine.io message that is not a valid socket.io packet.
        (s.io.engine as unknown as { write(m: string): void }).write(pick(['4', '2/visitor,', '42/visitor,["conv:send"', '99garbage', randomText(64), `21["conv:send",${'['.repeat(2000)}`]));
        await new Promise((r) => setTimeout(r, 20));
      } else if (kind < 15) {
        s.emit(pick(EVENTS), badPayload(a.sessionId)); // no ack callback at all
      } else {
        try {
          const ack = await s.timeout(5000).emitWithAck(pick(EVENTS), badPayload(a.sessionId));
          const code = ack && typeof ack === 'object' && ack.ok === false && typeof ack.error?.code === 'string' ? ack.error.code : `UNEXPECTED:${JSON.stringify(ack).slice(0, 80)}`;
          ackCodes[code] = (ackCodes[code] ?? 0) + 1;
        } catch {
          ackCodes.NO_ACK = (ackCodes.NO_ACK ?? 0) + 1;
        }
      }
    }
    s?.close();
  };

  const statuses: Record<string, number> = {};
  const restAttack = async (a: { token: string; sessionId: string }, bodies: number, n: number) => {
    const routes = [
      ['POST', '/api/visitor/session', undefined],
      ['POST', '/api/auth/login', undefined],
      ['POST', `/api/conversations/visitor/sessions/${a.sessionId}/messages`, a.token],
      ['POST', `/api/conversations/visitor/sessions/${crypto.randomUUID()}/messages`, a.token],
      ['POST', `/api/conversations/visitor/sessions/${a.sessionId}/read`, a.token],
      ['GET', `/api/conversations/visitor/sessions/${encodeURIComponent(randomText(20))}/messages?after=${encodeURIComponent(randomText(5))}`, a.token],
    ] as const;
    for (let i = 0; i < bodies && Date.now() < attackEnd; i++) {
      bodiesSent++;
      const [method, route, token] = pick([...routes]);
      const body = method === 'GET' ? undefined : crypto.randomInt(10) === 0 ? { text: 'x'.repeat(1_200_000) } : badPayload(a.sessionId);
      try {
        const res = await requestJson(url, method, route, body, { token, localAddress: loopback(100 + n * 7 + (i % 7)) });
        const key = res.status >= 500 ? `5xx:${route}:${JSON.stringify(res.json).slice(0, 120)}` : String(res.status);
        statuses[key] = (statuses[key] ?? 0) + 1;
      } catch (err) {
        statuses[`error:${(err as Error).message}`] = (statuses[`error:${(err as Error).message}`] ?? 0) + 1;
      }
    }
  };

  await Promise.all(attackers.flatMap((a, n) => [socketAttack(a, SOCKET_FRAMES / ATTACKERS), restAttack(a, REST_BODIES / ATTACKERS, n)]));
  clearInterval(chatter);
  const rssAfter = rssOf(pid);

  const deadline = Date.now() + 60_000;
  while (wellBehaved.pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.equal(server.child.child.exitCode, null, 'the server is still running');
  const health = await requestJson(url, 'GET', '/healthz');
  t.equal(health.status, 200, '/healthz answers');
  t.same(Object.keys(statuses).filter((k) => !/^4\d\d$/.test(k)), [], 'every bad REST body got a 4xx');
  t.same(Object.keys(ackCodes).filter((k) => k.startsWith('UNEXPECTED')), [], 'every acknowledged bad event got ok:false with a code');
  t.equal(wellBehaved.pending.size, 0, `the well-behaved visitor got all ${goodSent} messages acknowledged`);
  t.equal(goodDisconnects, 0, 'the well-behaved visitor was never disconnected');
  t.same(wellBehaved.conflicts, [], 'no message of the well-behaved visitor was confused with another');
  const growthMb = (rssAfter - rssBefore) / 1024 / 1024;
  t.ok(growthMb < 200, `server RSS grew by ${growthMb.toFixed(1)} MB (bounded under 200 MB)`);
  const res = await expectJson(url, 'GET', `/api/conversations/visitor/sessions/${good.sessionId}/messages?after=0&limit=500`, undefined, { token: good.token });
  const clientIds = new Set(res.messages.map((m: { clientMsgId: string }) => m.clientMsgId));
  t.equal(res.messages.length, goodSent, `all ${goodSent} messages of the well-behaved visitor are stored`);
  t.equal(clientIds.size, res.messages.length, 'none of them twice');
  t.ok(framesSent >= 500 && bodiesSent >= 200, `the attack ran (${framesSent} frames, ${bodiesSent} REST bodies sent)`);
  t.comment(`REST statuses ${JSON.stringify(statuses)}; socket ack codes ${JSON.stringify(ackCodes)}; attacker connections dropped by the server: ${droppedConnections}`);
});
