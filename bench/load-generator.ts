/**
 * The load generator: a separate process speaking the conversations protocol with socket.io-client,
 * as an SDK would. Driven by JSON-line commands on stdin (see serveCommands):
 * - `{cmd:'setup', mode:'parley', url, tenant, agents:[{id,token}], visitors}`: agents connect and
 *   go idle, visitors sign up, start sessions and connect; resolves once every session is assigned.
 * - `{cmd:'setup', mode:'relay', url, agents, visitors}`: the same shape against baseline-relay.ts.
 * - `{cmd:'run', rate, seconds}`: offers `rate` messages/s (open loop, round robin over visitors,
 *   at most 16 unacknowledged per visitor as the SDKs do) and answers with the latencies.
 */
import crypto from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { serveCommands } from './lib/child.ts';
import { expectJson, loopback } from './lib/http.ts';
import { summarize } from './lib/stats.ts';

const WINDOW = 16;
const ACK_TIMEOUT_MS = 10_000;

interface Visitor { socket: Socket; sessionId: string; agentId: string; inflight: number }
let visitors: Visitor[] = [];
let agents: Socket[] = [];
const sentAt = new Map<string, number>();
let deliveries: number[] = [];
let deliveredInWindow = 0;
let windowEnd = Infinity;

function connect(url: string, ns: string, auth: Record<string, string>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(`${url}/${ns}`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

function emit(s: Socket, event: string, payload: unknown, timeoutMs = ACK_TIMEOUT_MS): Promise<any> {
  return new Promise((resolve) => {
    s.timeout(timeoutMs).emit(event, payload, (err: Error | null, ack: any) => {
      resolve(err ? { ok: false, error: { code: 'ACK_TIMEOUT' } } : ack);
    });
  });
}

function watchDeliveries(s: Socket) {
  s.on('conv:message', (m: { clientMsgId?: string; sender?: { kind: string } }) => {
    if (!m.clientMsgId || m.sender?.kind !== 'visitor') return;
    const t0 = sentAt.get(m.clientMsgId);
    if (t0 === undefined) return;
    const now = performance.now();
    deliveries.push(now - t0);
    if (now <= windowEnd) deliveredInWindow++;
  });
}

async function pool<T>(n: number, limit: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, n) }, async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  }));
  return out;
}

async function setupParley(cmd: { url: string; tenant: string; agents: { id: string; token: string }[]; visitors: number }) {
  agents = await Promise.all(cmd.agents.map(async (a) => {
    const s = await connect(cmd.url, 'agent', { token: a.token });
    // The agent row goes online on connect; setting idle may race it, so retry briefly.
    for (let i = 0; ; i++) {
      const ack = await emit(s, 'agent:status', { status: 'idle' });
      if (ack.ok) break;
      if (i > 50) throw new Error(`agent:status failed: ${JSON.stringify(ack.error)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    watchDeliveries(s);
    return s;
  }));
  visitors = await pool(cmd.visitors, 16, async (i) => {
    const localAddress = loopback(i);
    const v = await expectJson(cmd.url, 'POST', '/api/visitor/session', { tenant: cmd.tenant, name: `Visitor ${i}` }, { localAddress });
    const started = await expectJson(cmd.url, 'POST', '/api/conversations/visitor/sessions', {}, { token: v.token, localAddress });
    const socket = await connect(cmd.url, 'visitor', { token: v.token });
    let state = started.session.state as string;
    socket.on('conv:session', (s: { id: string; state: string }) => { if (s.id === started.session.id) state = s.state; });
    const deadline = Date.now() + 60_000;
    while (state !== 'active') {
      if (Date.now() > deadline) throw new Error(`session of visitor ${i} still ${state} after 60 s (agents' capacity?)`);
      await new Promise((r) => setTimeout(r, 50));
      if (state !== 'active') {
        const fresh = await expectJson(cmd.url, 'GET', `/api/conversations/visitor/sessions/${started.session.id}`, undefined, { token: v.token, localAddress });
        state = fresh.state;
      }
    }
    return { socket, sessionId: started.session.id as string, agentId: '', inflight: 0 };
  });
  return { visitors: visitors.length, agents: agents.length };
}

async function setupRelay(cmd: { url: string; agents: number; visitors: number }) {
  agents = await Promise.all(Array.from({ length: cmd.agents }, async (_, i) => {
    const s = await connect(cmd.url, 'agent', { agentId: `a${i}` });
    watchDeliveries(s);
    return s;
  }));
  visitors = await pool(cmd.visitors, 16, async (i) => ({
    socket: await connect(cmd.url, 'visitor', { visitorId: crypto.randomUUID() }),
    sessionId: crypto.randomUUID(),
    agentId: `a${i % cmd.agents}`,
    inflight: 0,
  }));
  return { visitors: visitors.length, agents: agents.length };
}

async function run(cmd: { rate: number; seconds: number }) {
  sentAt.clear();
  deliveries = [];
  deliveredInWindow = 0;
  const acks: number[] = [];
  const errors: Record<string, number> = {};
  let sent = 0, skipped = 0, ackedInWindow = 0, pending = 0, cursor = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  windowEnd = t0 + cmd.seconds * 1000;
  let drained: () => void = () => {};
  const allAcked = new Promise<void>((r) => { drained = r; });
  const sendOne = () => {
    for (let tries = 0; tries < visitors.length; tries++) {
      const v = visitors[cursor++ % visitors.length]!;
      if (v.inflight >= WINDOW) continue;
      const clientMsgId = crypto.randomUUID();
      const start = performance.now();
      sentAt.set(clientMsgId, start);
      v.inflight++;
      pending++;
      sent++;
      void emit(v.socket, 'conv:send', { sessionId: v.sessionId, ...(v.agentId ? { agentId: v.agentId } : {}), clientMsgId, type: 'text', body: { text: `bench message ${sent}` } }).then((ack) => {
        const now = performance.now();
        v.inflight--;
        pending--;
        if (ack?.ok) {
          acks.push(now - start);
          if (now <= windowEnd) ackedInWindow++;
        } else {
          const code = ack?.error?.code ?? 'UNKNOWN';
          errors[code] = (errors[code] ?? 0) + 1;
        }
        if (pending === 0 && performance.now() > windowEnd) drained();
      });
      return;
    }
    skipped++;
  };
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      if (now >= windowEnd) return resolve();
      const due = Math.floor(((now - t0) / 1000) * cmd.rate) - (sent + skipped);
      for (let i = 0; i < due; i++) sendOne();
      setTimeout(tick, 1);
    };
    tick();
  });
  if (pending > 0) await Promise.race([allAcked, new Promise((r) => setTimeout(r, ACK_TIMEOUT_MS + 1000))]);
  // Pushes trail their acks by a little; give them a moment.
  await new Promise((r) => setTimeout(r, 300));
  const cpu = process.cpuUsage(cpu0);
  const elapsed = (performance.now() - t0) / 1000;
  return {
    offered: cmd.rate,
    seconds: cmd.seconds,
    sent,
    skipped,
    acked: acks.length,
    errors,
    ackThroughput: Math.round(ackedInWindow / cmd.seconds),
    deliveredThroughput: Math.round(deliveredInWindow / cmd.seconds),
    delivered: deliveries.length,
    ack: summarize(acks),
    delivery: summarize(deliveries),
    generatorCpu: Math.round(((cpu.user + cpu.system) / 1e6 / elapsed) * 100),
  };
}

serveCommands(async (cmd) => {
  if (cmd.cmd === 'setup') return cmd.mode === 'relay' ? setupRelay(cmd) : setupParley(cmd);
  if (cmd.cmd === 'run') return run(cmd);
  throw new Error(`unknown command ${cmd.cmd}`);
});
process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
