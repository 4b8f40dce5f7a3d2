import t from 'tap';
import { Type } from 'typebox';
import { listeningApp } from './setup.ts';
import { connect, disconnected, request } from '../helpers/sockets.ts';
import { KERNEL_OWNER } from '../../core/hooks/hook-bus.ts';
import { errors } from '../../core/http/errors.ts';
import type { Realtime } from '../../core/realtime/realtime.ts';

const MAX_BYTES = 4096;

t.test('socket events are gated and answer one ack shape', async (t) => {
  const fired: unknown[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => { release = r; });
  const app = await listeningApp(t, (app) => {
    const rt = app.kernel.realtime;
    rt.on(KERNEL_OWNER, 'agent', 'test.echo', { permission: '@member', schema: Type.Object({ text: Type.String({ maxLength: 20 }), n: Type.Optional(Type.Integer()) }) }, (p) => p);
    rt.on(KERNEL_OWNER, 'agent', 'test.members', { permission: 'settings.members' }, () => 'allowed');
    rt.on(KERNEL_OWNER, 'agent', 'test.crash', { permission: '@member' }, () => { throw new Error('connection string postgres://secret@db'); });
    rt.on(KERNEL_OWNER, 'agent', 'test.refuse', { permission: '@member' }, () => { throw errors.conflict('ALREADY_TAKEN', 'Someone took it.', 'sessionId'); });
    rt.on(KERNEL_OWNER, 'agent', 'test.payload', { permission: '@member' }, (p) => ({ received: p === undefined ? 'nothing' : p }));
    rt.on(KERNEL_OWNER, 'agent', 'test.fire', { permission: '@member' }, (p) => { fired.push(p); });
    rt.on(KERNEL_OWNER, 'agent', 'test.slow', { permission: '@member' }, async () => { await gate; return 'done'; });
    rt.on('not-installed', 'agent', 'test.plugin', { permission: '@member' }, () => 'should not run');
    rt.on(KERNEL_OWNER, 'visitor', 'test.echo', { permission: '@visitor' }, (p) => p);
  }, { socketMaxPayloadBytes: MAX_BYTES });
  const rt: Realtime = app.kernel.realtime;
  await app.tenant('acme');
  const agent = await app.member('acme', 'agent');
  const admin = await app.member('acme', 'admin');
  const visitor = await app.visitor('acme');
  const socket = await connect(t, app.url, 'agent', { token: agent.token });

  t.test('a valid payload is handled and acked with {ok:true,data}', async (t) => {
    t.same(await request(socket, 'test.echo', { text: 'hello', n: 2 }), { ok: true, data: { text: 'hello', n: 2 } });
  });

  t.test('an invalid payload is refused with VALIDATION_FAILED naming the field', async (t) => {
    t.same(await request(socket, 'test.echo', { text: 'x'.repeat(21) }), {
      ok: false, error: { statusCode: 400, code: 'VALIDATION_FAILED', message: 'text: must not have more than 20 characters', field: 'text' },
    });
    t.match(await request(socket, 'test.echo', {}), { ok: false, error: { code: 'VALIDATION_FAILED', field: 'text' } });
    t.match(await request(socket, 'test.echo', { text: 'a', n: 'two' }), { ok: false, error: { code: 'VALIDATION_FAILED', field: 'n' } });
    t.match(await request(socket, 'test.echo', 'just a string'), { ok: false, error: { code: 'VALIDATION_FAILED', field: 'payload' } });
    t.match(await request(socket, 'test.echo'), { ok: false, error: { code: 'VALIDATION_FAILED' } }, 'no payload at all');
  });

  t.test('a permission node is checked against the role', async (t) => {
    t.same(await request(socket, 'test.members'), {
      ok: false, error: { statusCode: 403, code: 'PERMISSION_DENIED', message: 'Your role lacks the permission "settings.members".' },
    });
    const adminSocket = await connect(t, app.url, 'agent', { token: admin.token });
    t.same(await request(adminSocket, 'test.members'), { ok: true, data: 'allowed' });
  });

  t.test('an unknown event answers UNKNOWN_EVENT, with a bounded echo of its name', async (t) => {
    t.same(await request(socket, 'test.nope', {}), { ok: false, error: { statusCode: 404, code: 'UNKNOWN_EVENT', message: 'There is no event "test.nope".' } });
    const long = await request(socket, `<img src=x onerror=alert(1)>${'a'.repeat(3000)}`);
    t.equal(long.error?.code, 'UNKNOWN_EVENT');
    t.ok(long.error!.message.length < 140, 'the name is cut');
    socket.emit('test.nope-without-ack', {});
    t.same(await request(socket, 'test.echo', { text: 'still here' }), { ok: true, data: { text: 'still here' } }, 'no ack asked, none sent, socket unharmed');
  });

  t.test('agent and visitor events are separate', async (t) => {
    const v = await connect(t, app.url, 'visitor', { token: visitor.token });
    t.same(await request(v, 'test.echo', { any: 1 }), { ok: true, data: { any: 1 } });
    t.match(await request(v, 'test.members'), { ok: false, error: { code: 'UNKNOWN_EVENT' } });
  });

  t.test('a handler that throws a plain Error answers INTERNAL without its message', async (t) => {
    const res = await request(socket, 'test.crash', {});
    t.same(res, { ok: false, error: { statusCode: 500, code: 'INTERNAL', message: 'Something went wrong on our side.' } });
    t.notMatch(JSON.stringify(res), /secret|postgres/);
  });

  t.test('an AppError thrown by a handler reaches the client as is', async (t) => {
    t.same(await request(socket, 'test.refuse'), { ok: false, error: { statusCode: 409, code: 'ALREADY_TAKEN', message: 'Someone took it.', field: 'sessionId' } });
  });

  t.test('payload and ack are told apart however the client emits', async (t) => {
    t.same(await request(socket, 'test.payload'), { ok: true, data: { received: 'nothing' } });
    t.same(await request(socket, 'test.payload', 0), { ok: true, data: { received: 0 } });
    t.same(await request(socket, 'test.payload', 'a', 'extra', 'args'), { ok: true, data: { received: 'a' } });
    socket.emit('test.fire', { n: 1 });
    await request(socket, 'test.payload');
    t.same(fired, [{ n: 1 }], 'an event without ack still runs');
  });

  t.test("an event of a plugin the tenant does not have is refused with PLUGIN_DISABLED", async (t) => {
    t.match(await request(socket, 'test.plugin'), { ok: false, error: { statusCode: 404, code: 'PLUGIN_DISABLED' } });
  });

  t.test('an event registered after sockets connected reaches them', async (t) => {
    rt.on(KERNEL_OWNER, 'agent', 'test.late', { permission: '@member' }, () => 'late');
    t.same(await request(socket, 'test.late'), { ok: true, data: 'late' });
  });

  t.test('one socket cannot have more than 32 events in progress', async (t) => {
    // One connection delivers in order: the 33rd arrives after the 32 are in progress.
    const pending = Array.from({ length: 32 }, () => request(socket, 'test.slow'));
    t.same(await request(socket, 'test.slow'), {
      ok: false, error: { statusCode: 429, code: 'TOO_MANY_REQUESTS', message: 'Too many requests are in progress on this connection; wait for their answers.' },
    });
    const other = await connect(t, app.url, 'agent', { token: agent.token });
    t.same(await request(other, 'test.echo', { text: 'other socket' }), { ok: true, data: { text: 'other socket' } }, 'another socket is not limited');
    release();
    const answers = await Promise.all(pending);
    t.ok(answers.every((a) => a.ok && a.data === 'done'), 'the ones in progress finish');
    t.same(await request(socket, 'test.slow'), { ok: true, data: 'done' }, 'and the socket may send again');
  });

  t.test('registration mistakes are start-up errors', async (t) => {
    t.throws(() => rt.on(KERNEL_OWNER, 'agent', 'test.echo', { permission: '@member' }, () => 1), /registered twice/);
    t.throws(() => rt.on(KERNEL_OWNER, 'agent', 'test.x1', { permission: '' }, () => 1), /declares no permission/);
    t.throws(() => rt.on(KERNEL_OWNER, 'visitor', 'test.x2', { permission: 'settings.members' }, () => 1), /cannot use permission/);
    t.throws(() => rt.on(KERNEL_OWNER, 'visitor', 'test.x3', { permission: '@member' }, () => 1), /cannot use permission/);
    t.throws(() => rt.on(KERNEL_OWNER, 'agent', 'test.x4', { permission: '@visitor' }, () => 1), /cannot use permission/);
    t.throws(() => rt.on(KERNEL_OWNER, 'agent', 'test.x5', { permission: '@public' }, () => 1), /cannot use permission/);
    t.notOk(rt.registeredEvents().some((e) => e.event.startsWith('test.x')), 'nothing was registered');
    t.same(rt.registeredEvents().find((e) => e.event === 'test.echo' && e.ns === 'agent'), { ns: 'agent', event: 'test.echo', owner: KERNEL_OWNER, permission: '@member' });
  });

  t.test('an oversized frame disconnects only its socket; the server stays up', async (t) => {
    for (const transport of ['websocket', 'polling'] as const) {
      const bystander = await connect(t, app.url, 'visitor', { token: visitor.token, transports: [transport] });
      const offender = await connect(t, app.url, 'agent', { token: agent.token, transports: [transport] });
      const gone = disconnected(offender);
      offender.emit('test.echo', { text: 'x'.repeat(MAX_BYTES * 2) });
      t.match(await gone, /transport (close|error)/, `${transport}: the offender is disconnected`);
      t.same(await request(bystander, 'test.echo', { still: transport }), { ok: true, data: { still: transport } }, `${transport}: others are unaffected`);
      t.same(await request(socket, 'test.echo', { text: 'fine' }), { ok: true, data: { text: 'fine' } });
      const health = await fetch(`${app.url}/healthz`);
      t.equal(health.status, 200, 'the server answers HTTP');
      const again = await connect(t, app.url, 'agent', { token: agent.token, transports: [transport] });
      t.same(await request(again, 'test.echo', { text: 'back' }), { ok: true, data: { text: 'back' } }, `${transport}: the offender may reconnect`);
    }
  });
});
