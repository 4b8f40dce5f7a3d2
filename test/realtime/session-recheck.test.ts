import t from 'tap';
import { listeningApp } from './setup.ts';
import { connect, disconnected, nextEvent, request } from '../helpers/sockets.ts';
import { KERNEL_OWNER } from '../../core/hooks/hook-bus.ts';
import { SESSION_ENDED_EVENT } from '../../core/realtime/realtime.ts';

t.test('member sockets follow their session after connecting', async (t) => {
  const app = await listeningApp(t, (app) => {
    app.kernel.realtime.on(KERNEL_OWNER, 'agent', 'test.members', { permission: 'settings.members' }, () => 'allowed');
    app.kernel.realtime.on(KERNEL_OWNER, 'visitor', 'test.ping', { permission: '@visitor' }, () => 'pong');
  });
  const rt = app.kernel.realtime;
  const acme = await app.tenant('acme');
  const visitor = await app.visitor('acme');

  t.test('signing out one session ends the sockets of that session only', async (t) => {
    const agent = await app.member('acme', 'agent');
    const otherTab = await app.login('acme', agent.email, agent.password);
    const leaving = await connect(t, app.url, 'agent', { token: agent.token });
    const staying = await connect(t, app.url, 'agent', { token: otherTab });
    const told = nextEvent(leaving, SESSION_ENDED_EVENT);
    const gone = disconnected(leaving);
    t.equal((await app.request({ method: 'POST', url: '/api/auth/logout', token: agent.token })).statusCode, 200);
    await rt.recheckMember(agent.id);
    t.same(await told, { statusCode: 401, code: 'UNAUTHENTICATED', message: 'Your session has ended; sign in again.' });
    t.equal(await gone, 'io server disconnect', 'the server ended it, so the client does not reconnect by itself');
    t.ok(staying.connected, 'the other session stays');
    t.match(await request(staying, 'test.members'), { ok: false, error: { code: 'PERMISSION_DENIED' } });
  });

  t.test('a disabled member is disconnected by the sweep; visitors are untouched', async (t) => {
    const agent = await app.member('acme', 'agent');
    const socket = await connect(t, app.url, 'agent', { token: agent.token });
    const v = await connect(t, app.url, 'visitor', { token: visitor.token });
    const res = await app.request({ method: 'PATCH', url: `/api/members/${agent.id}`, token: acme.adminToken, body: { disabled: true } });
    t.equal(res.statusCode, 200, res.body);
    const gone = disconnected(socket);
    await rt.recheckAll();
    t.equal(await gone, 'io server disconnect');
    t.same(await request(v, 'test.ping'), { ok: true, data: 'pong' });
  });

  t.test("a role change reaches the member's open sockets", async (t) => {
    const agent = await app.member('acme', 'agent');
    const socket = await connect(t, app.url, 'agent', { token: agent.token });
    t.match(await request(socket, 'test.members'), { ok: false, error: { code: 'PERMISSION_DENIED' } });
    const res = await app.request({ method: 'PATCH', url: `/api/members/${agent.id}`, token: acme.adminToken, body: { roleKey: 'admin' } });
    t.equal(res.statusCode, 200, res.body);
    await rt.recheckMember(agent.id);
    t.same(await request(socket, 'test.members'), { ok: true, data: 'allowed' });
    t.ok(socket.connected);
  });

  t.test('a revoked API key ends its sockets', async (t) => {
    const created = await app.request({ method: 'POST', url: '/api/api-keys', token: acme.adminToken, body: { name: 'bot', roleKey: 'agent' } });
    const socket = await connect(t, app.url, 'agent', { token: created.json().key });
    const revoked = await app.request({ method: 'DELETE', url: `/api/api-keys/${created.json().id}`, token: acme.adminToken });
    t.ok(revoked.statusCode < 300, revoked.body);
    const gone = disconnected(socket);
    await rt.recheckAll();
    t.equal(await gone, 'io server disconnect');
  });
});
