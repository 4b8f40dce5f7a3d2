import t, { type Test } from 'tap';
import http from 'node:http';
import type net from 'node:net';
import pino from 'pino';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { connect, disconnected, request, sleep } from '../helpers/sockets.ts';
import { Realtime } from '../../core/realtime/realtime.ts';
import { KERNEL_OWNER } from '../../core/hooks/hook-bus.ts';

/** A transport with its own options on its own server, sharing the test app's kernel services. */
async function transport(t: Test, app: TestApp, options: { maxInFlight?: number; maxInFlightPerSocket?: number; maxWaiting?: number; maxWaitMs?: number; recheckMs?: number }) {
  const rt = new Realtime(app.kernel.auth, app.kernel.pluginState, pino({ level: 'silent' }));
  const server = http.createServer();
  await rt.attach(server, { maxPayloadBytes: 65_536, ...options });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    await rt.close();
    await new Promise((resolve) => server.close(resolve));
  });
  return { rt, url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` };
}

/** Whether the server has stopped reading this client's WebSocket. */
const readingPaused = (rt: Realtime, client: { id?: string }) =>
  (rt.namespace('agent').sockets.get(client.id!)!.conn.transport as unknown as { socket: { isPaused: boolean } }).socket.isPaused;

t.test('beyond the process-wide limit events wait with their connection paused; beyond the wait bound they are shed with OVERLOADED', async (t) => {
  const app = await createTestApp(t);
  await app.tenant('acme');
  const agent = await app.member('acme', 'agent');
  const { rt, url } = await transport(t, app, { maxInFlight: 2, maxInFlightPerSocket: 2, maxWaiting: 1 });
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => { release = r; });
  let started = 0;
  rt.on(KERNEL_OWNER, 'agent', 'test.slow', { permission: '@member' }, async () => { started++; await gate; return 'done'; });
  rt.on(KERNEL_OWNER, 'agent', 'test.fast', { permission: '@member' }, () => 'fast');
  const [a, b, c] = [await connect(t, url, 'agent', { token: agent.token }), await connect(t, url, 'agent', { token: agent.token }), await connect(t, url, 'agent', { token: agent.token })];
  const slow = [request(a, 'test.slow'), request(a, 'test.slow')];
  while (started < 2) await sleep(10);
  let waitedAnswer: unknown = null;
  const waited = request(b, 'test.fast').then((r) => { waitedAnswer = r; return r; });
  await sleep(100);
  t.equal(waitedAnswer, null, 'a third event waits for room');
  t.equal(readingPaused(rt, b), true, 'and its connection stops reading meanwhile');
  t.same(await request(c, 'test.fast'), { ok: false, error: { statusCode: 503, code: 'OVERLOADED', message: 'The server is busy; try again shortly.' } }, 'with the wait full, a fourth is shed');
  t.match(await request(a, 'test.fast'), { ok: false, error: { code: 'TOO_MANY_REQUESTS' } }, 'the per-socket window is checked first');
  release();
  t.same((await Promise.all(slow)).map((r) => r.data), ['done', 'done']);
  t.same(await waited, { ok: true, data: 'fast' }, 'the waiting event runs once there is room');
  t.equal(readingPaused(rt, b), false, 'and its connection reads again');
  t.same(await request(c, 'test.fast'), { ok: true, data: 'fast' }, 'capacity is back once they finish');
});

t.test('waiting events start a connection at a time in turn, not in arrival order', async (t) => {
  const app = await createTestApp(t);
  await app.tenant('acme');
  const agent = await app.member('acme', 'agent');
  const { rt, url } = await transport(t, app, { maxInFlight: 1, maxInFlightPerSocket: 4 });
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => { release = r; });
  const order: string[] = [];
  rt.on(KERNEL_OWNER, 'agent', 'test.slow', { permission: '@member' }, async () => { await gate; return 'done'; });
  rt.on(KERNEL_OWNER, 'agent', 'test.mark', { permission: '@member' }, (payload) => { order.push((payload as { name: string }).name); return {}; });
  const [a, b] = [await connect(t, url, 'agent', { token: agent.token }), await connect(t, url, 'agent', { token: agent.token })];
  const first = request(a, 'test.slow');
  await sleep(50);
  const marks = [request(a, 'test.mark', { name: 'a1' }), request(a, 'test.mark', { name: 'a2' }), request(a, 'test.mark', { name: 'a3' })];
  await sleep(50);
  marks.push(request(b, 'test.mark', { name: 'b1' }));
  await sleep(50);
  release();
  await Promise.all([first, ...marks]);
  t.same(order, ['a1', 'b1', 'a2', 'a3'], 'b\'s event runs after one of a\'s, not after all three');
});

t.test('a waiting event is dropped when its socket was ended, and refused when it waited too long', async (t) => {
  const app = await createTestApp(t);
  await app.tenant('acme');
  const agent = await app.member('acme', 'agent');
  const other = await app.member('acme', 'agent');
  const { rt, url } = await transport(t, app, { maxInFlight: 1, maxWaitMs: 150 });
  let release: () => void = () => undefined;
  let gate = new Promise<void>((r) => { release = r; });
  let fastRuns = 0;
  rt.on(KERNEL_OWNER, 'agent', 'test.slow', { permission: '@member' }, async () => { await gate; return 'done'; });
  rt.on(KERNEL_OWNER, 'agent', 'test.fast', { permission: '@member' }, () => ++fastRuns);
  const [a, b] = [await connect(t, url, 'agent', { token: agent.token }), await connect(t, url, 'agent', { token: other.token })];

  const first = request(a, 'test.slow');
  await sleep(50);
  void request(b, 'test.fast').catch(() => undefined);
  await sleep(50);
  const ended = disconnected(b);
  t.equal((await app.request({ method: 'POST', url: '/api/auth/logout', token: other.token })).statusCode, 200);
  await rt.recheckAll();
  t.equal(await ended, 'io server disconnect');
  release();
  await first;
  await sleep(50);
  t.equal(fastRuns, 0, 'the event of a socket ended (signed out) while it waited never runs');

  gate = new Promise<void>((r) => { release = r; });
  const second = request(a, 'test.slow');
  await sleep(50);
  const c = await connect(t, url, 'agent', { token: agent.token });
  const late = request(c, 'test.fast');
  await sleep(300);
  release();
  await second;
  t.match(await late, { ok: false, error: { statusCode: 503, code: 'OVERLOADED' } }, 'one that waited past maxWaitMs is refused when its turn comes');
  t.equal(fastRuns, 0, 'without running');
  t.same(await request(c, 'test.fast'), { ok: true, data: 1 }, 'the next one runs');
});

t.test('the periodic sweep ends a signed-out session on its own', async (t) => {
  const app = await createTestApp(t);
  await app.tenant('acme');
  const agent = await app.member('acme', 'agent');
  const { url } = await transport(t, app, { recheckMs: 200 });
  const socket = await connect(t, url, 'agent', { token: agent.token });
  const gone = disconnected(socket, 10_000);
  t.equal((await app.request({ method: 'POST', url: '/api/auth/logout', token: agent.token })).statusCode, 200);
  t.equal(await gone, 'io server disconnect');
});
