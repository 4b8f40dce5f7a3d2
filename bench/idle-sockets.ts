/**
 * Idle visitors for the connections scenario: a separate process that signs visitors up over REST
 * and holds their sockets open without sending anything, as visitors with the widget loaded but
 * not chatting. Several run at once, each from its own loopback source address (`BENCH_SOURCE`),
 * so that no process nears its file-descriptor limit and no source address runs out of ports.
 * JSON-line commands on stdin (see serveCommands):
 * - `{cmd:'signup', url, tenant, count, from}`: signs `count` visitors up from loopback(from + i).
 * - `{cmd:'connect', url, count}`: opens or closes sockets until `count` are connected (one per visitor).
 * - `{cmd:'status'}`: how many are connected, how many the server dropped.
 */
import { io, type Socket } from 'socket.io-client';
import { serveCommands } from './lib/child.ts';
import { expectJson, loopback } from './lib/http.ts';

const source = process.env.BENCH_SOURCE || undefined;
const tokens: string[] = [];
/** The open socket of each visitor (by token index), if any. */
const open: (Socket | undefined)[] = [];
let live = 0;
let dropped = 0;

async function pool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, n) }, async () => {
    while (next < n) await fn(next++);
  }));
}

function connect(url: string, i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = io(`${url}/visitor`, { auth: { token: tokens[i] }, transports: ['websocket'], reconnection: false, forceNew: true, localAddress: source } as never);
    s.once('connect', () => {
      open[i] = s;
      live++;
      s.once('disconnect', (reason) => {
        open[i] = undefined;
        live--;
        if (reason !== 'io client disconnect') dropped++;
      });
      resolve();
    });
    s.once('connect_error', (err) => reject(new Error(`connect_error ${err.message} ${JSON.stringify((err as { data?: unknown }).data ?? '')}`)));
  });
}

serveCommands(async (cmd) => {
  if (cmd.cmd === 'signup') {
    const t0 = performance.now();
    await pool(cmd.count, 16, async (i) => {
      const v = await expectJson(cmd.url, 'POST', '/api/visitor/session', { tenant: cmd.tenant }, { localAddress: loopback(cmd.from + i) });
      tokens.push(v.token);
    });
    return { tokens: tokens.length, ms: Math.round(performance.now() - t0) };
  }
  if (cmd.cmd === 'connect') {
    const t0 = performance.now();
    const want = Math.min(cmd.count, tokens.length);
    for (let i = open.length - 1; i >= 0 && live > want; i--) open[i]?.disconnect();
    const idle = tokens.map((_, i) => i).filter((i) => !open[i]).slice(0, Math.max(0, want - live));
    // A bounded number of handshakes at a time, so the listen backlog never overflows.
    await pool(idle.length, 50, (k) => connect(cmd.url, idle[k]!));
    return { connected: live, ms: Math.round(performance.now() - t0) };
  }
  if (cmd.cmd === 'status') return { connected: live, dropped };
  throw new Error(`unknown command ${cmd.cmd}`);
});
process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
