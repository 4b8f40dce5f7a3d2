import t, { type Test } from 'tap';
import http from 'node:http';
import type net from 'node:net';
import pino from 'pino';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { connect, disconnected, request, sleep } from '../helpers/sockets.ts';
import { Realtime } from '../../core/realtime/realtime.ts';
import { KERNEL_OWNER } from '../../core/hooks/hook-bus.ts';

/** A transport with its own options on its own server, sharing the test app's kernel services. */
async function transport(t: Test, app: TestApp, options: { maxInFlight?: number; maxInFlightPerSocket?: number; recheckMs?: number }) {
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

t.test('the process-wide in-flight limit sheds load with OVERLOADED', async (t) => {
  const app = await createTestApp(t);
  await app.tenant('acme');
  const agent = await app.member('acme', 'agent');
  const { rt, url } = await transport(t, app, { maxInFlight: 3, maxInFlightPerSocket: 2 });
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => { release = r; });
  let started = 0;
  rt.on(KERNEL_OWNER, 'agent', 'test.slow', { permission: '@member' }, async () => { started++; await gate; return 'done'; });
  rt.on(KERNEL_OWNER, 'agent', 'test.fast', { permission: '@member' }, () => 'fast');
  const [a, b] = [await connect(t, url, 'agent', { token: agent.token }), await connect(t, url, 'agent', { token: agent.token })];
  const pending = [request(a, 'test.slow'), request(a, 'test.slow'), request(b, 'test.slow')];
  while (started < 3) await sleep(10);
  t.same(await request(b, 'test.fast'), { ok: false, error: { statusCode: 503, code: 'OVERLOADED', message: 'The server is busy; try again shortly.' } }, 'a fourth event anywhere is shed');
  t.match(await request(a, 'test.fast'), { ok: false, error: { code: 'TOO_MANY_REQUESTS' } }, 'the per-socket limit is checked first');
  release();
  t.same((await Promise.all(pending)).map((r) => r.data), ['done', 'done', 'done']);
  t.same(await request(b, 'test.fast'), { ok: true, data: 'fast' }, 'capacity is back once they finish');
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
