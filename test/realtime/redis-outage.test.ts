import t, { type Test } from 'tap';
import http from 'node:http';
import net from 'node:net';
import crypto from 'node:crypto';
import pino from 'pino';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { collect, connect, disconnected, nextEvent, sleep } from '../helpers/sockets.ts';
import { Realtime, rooms } from '../../core/realtime/realtime.ts';
import { tcpProxy } from './fixtures/tcp-proxy.ts';

const REDIS_URL = process.env.REDIS_URL;
const skip = REDIS_URL ? false : 'REDIS_URL is not set (CI sets it; these tests need a Redis server)';

interface Node {
  rt: Realtime;
  url: string;
  logs: Array<{ level: number; msg: string }>;
  close(): Promise<void>;
}

/**
 * A second realtime transport on its own HTTP server, sharing the test app's kernel services:
 * within one process it behaves like another Parley process (its own adapter, its own sockets).
 */
async function realtimeNode(t: Test, app: TestApp, redisUrl: string, redisKey: string): Promise<Node> {
  const logs: Node['logs'] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => { logs.push(JSON.parse(line)); } });
  const rt = new Realtime(app.kernel.auth, app.kernel.pluginState, log);
  const server = http.createServer();
  await rt.attach(server, { redisUrl, redisKey, maxPayloadBytes: 65_536, redisConnectTimeoutMs: 5000 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = async () => {
    await rt.close();
    await new Promise((resolve) => server.close(resolve));
  };
  t.teardown(close);
  return { rt, url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, logs, close };
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

t.test('a Redis outage is logged, never thrown, and delivery across processes resumes', { skip }, async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  process.on('unhandledRejection', onUnhandled);
  t.teardown(() => { process.off('unhandledRejection', onUnhandled); });

  const app = await createTestApp(t);
  await app.tenant('acme');
  const visitorRes = await app.request({ method: 'POST', url: '/api/visitor/session', body: { tenant: 'acme' } });
  const visitor = visitorRes.json() as { token: string; visitorId: string };
  const target = new URL(REDIS_URL!);
  const proxy = await tcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
  t.teardown(() => proxy.close());
  const key = `parley-test-${crypto.randomBytes(4).toString('hex')}`;
  const proxied = new URL(REDIS_URL!);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  const near = await realtimeNode(t, app, proxied.toString(), key);
  const far = await realtimeNode(t, app, REDIS_URL!, key);
  const onNear = await connect(t, near.url, 'visitor', { token: visitor.token });
  const onFar = await connect(t, far.url, 'visitor', { token: visitor.token });
  const room = rooms.visitor(visitor.visitorId);

  const both = [nextEvent(onNear, 'news'), nextEvent(onFar, 'news')];
  far.rt.emit('visitor', room, 'news', 'before');
  t.same(await Promise.all(both), ['before', 'before'], 'an emit on one node reaches both');

  proxy.cut();
  await until('the connection error to be logged', () => near.logs.find((l) => l.level >= 50 && /redis/.test(l.msg)));
  const local = nextEvent(onNear, 'news');
  t.doesNotThrow(() => {
    near.rt.emit('visitor', room, 'news', 'during');
    near.rt.join('visitor', room, 'c:during');
    near.rt.leave('visitor', room, 'c:during');
  }, 'emits, joins and leaves do not throw while Redis is away');
  t.equal(await local, 'during', "the node's own sockets are still served");
  await near.rt.recheckAll();

  proxy.restore();
  const seen = collect<number>(onNear, 'probe');
  let n = 0;
  await until('an emit from the other node to arrive again', () => {
    far.rt.emit('visitor', room, 'probe', ++n);
    return seen.length > 0 || undefined;
  });
  t.pass(`cross-process delivery resumed after ${n} probes`);
  t.ok(near.logs.some((l) => /reconnected/.test(l.msg)), 'the reconnection is logged');

  proxy.cut();
  const started = Date.now();
  const gone = disconnected(onNear);
  await near.close();
  t.ok(Date.now() - started < 5000, `close() finishes while Redis is away (${Date.now() - started} ms)`);
  t.equal(await gone, 'transport close', 'clients see the transport close, so they reconnect by themselves');
  await sleep(200);
  t.same(unhandled, [], 'no unhandled rejection');
});

t.test('start-up fails with a clear message when Redis is unreachable', async (t) => {
  const app = await createTestApp(t);
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as net.AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const rt = new Realtime(app.kernel.auth, app.kernel.pluginState, pino({ level: 'silent' }));
  const started = Date.now();
  await t.rejects(
    rt.attach(http.createServer(), { redisUrl: `redis://user:hunter2@127.0.0.1:${port}`, maxPayloadBytes: 65_536, redisConnectTimeoutMs: 500 }),
    { message: new RegExp(`^Could not connect to Redis at redis://user:\\*\\*\\*@127\\.0\\.0\\.1:${port}`) },
  );
  t.ok(Date.now() - started < 5000, 'within the start-up timeout');
});
