import t from 'tap';
import { listeningApp } from './setup.ts';
import { Manager } from 'socket.io-client';
import { connect, refused, request, sleep } from '../helpers/sockets.ts';
import { KERNEL_OWNER } from '../../core/hooks/hook-bus.ts';

t.test('sockets authenticate at the handshake', async (t) => {
  const app = await listeningApp(t, (app) => {
    app.kernel.realtime.on(KERNEL_OWNER, 'agent', 'test.whoami', { permission: '@member' }, (_p, { principal }) => principal);
    app.kernel.realtime.on(KERNEL_OWNER, 'visitor', 'test.whoami', { permission: '@visitor' }, (_p, { principal }) => principal);
  });
  const acme = await app.tenant('acme');
  const agent = await app.member('acme', 'agent');
  const visitor = await app.visitor('acme');

  t.test('a member session token in auth is accepted on /agent', async (t) => {
    const socket = await connect(t, app.url, 'agent', { token: agent.token });
    const me = await request(socket, 'test.whoami');
    t.match(me, { ok: true, data: { kind: 'member', tenantId: acme.id, memberId: agent.id, roleKey: 'agent' } });
    t.notOk((me.data as Record<string, unknown>).remember, 'session details are not part of the principal');
  });

  t.test('the console session cookie is accepted on /agent, over polling too', async (t) => {
    for (const transports of [['websocket'], ['polling']] as const) {
      const socket = await connect(t, app.url, 'agent', { cookie: `other=1; parley_session=${encodeURIComponent(agent.token)}`, transports: [...transports] });
      t.match(await request(socket, 'test.whoami'), { ok: true, data: { memberId: agent.id } }, transports[0]);
    }
  });

  t.test('an API key is accepted on /agent', async (t) => {
    const res = await app.request({ method: 'POST', url: '/api/api-keys', token: acme.adminToken, body: { name: 'bot', roleKey: 'agent' } });
    t.equal(res.statusCode, 201, res.body);
    const socket = await connect(t, app.url, 'agent', { token: res.json().key });
    t.match(await request(socket, 'test.whoami'), { ok: true, data: { kind: 'member', tenantId: acme.id, roleKey: 'agent' } });
  });

  t.test('no token, a wrong token and a garbage cookie are refused with UNAUTHENTICATED', async (t) => {
    const cases = [
      {},
      { token: 'ps_not-a-real-session' },
      { token: '' },
      { token: 'x'.repeat(10_000) },
      { cookie: 'parley_session=%E0%A4%A' },
      { cookie: 'parley_session=ps_forged' },
    ];
    for (const opts of cases) {
      const failure = await refused(t, app.url, 'agent', opts);
      t.match(failure, { message: 'UNAUTHENTICATED', data: { statusCode: 401, code: 'UNAUTHENTICATED', message: String } }, JSON.stringify(opts).slice(0, 60));
    }
  });

  t.test('a visitor token cannot open /agent, a member token cannot open /visitor', async (t) => {
    t.match(await refused(t, app.url, 'agent', { token: visitor.token }), { data: { code: 'UNAUTHENTICATED' } });
    t.match(await refused(t, app.url, 'visitor', { token: agent.token }), { data: { code: 'UNAUTHENTICATED' } });
    t.match(await refused(t, app.url, 'visitor', { cookie: `parley_session=${agent.token}` }), { data: { code: 'UNAUTHENTICATED' } });
  });

  t.test('a visitor token opens /visitor; a tampered one does not', async (t) => {
    const socket = await connect(t, app.url, 'visitor', { token: visitor.token });
    t.match(await request(socket, 'test.whoami'), { ok: true, data: { kind: 'visitor', tenantId: acme.id, visitorId: visitor.visitorId } });
    const [version, payload, sig] = visitor.token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const otherVisitor = Buffer.from(JSON.stringify({ ...claims, v: '00000000-0000-0000-0000-000000000000' })).toString('base64url');
    t.match(await refused(t, app.url, 'visitor', { token: `${version}.${otherVisitor}.${sig}` }), { data: { code: 'UNAUTHENTICATED' } });
  });

  t.test("another tenant's visitor token is scoped to that tenant", async (t) => {
    const globex = await app.tenant('globex');
    const other = await app.visitor('globex');
    const socket = await connect(t, app.url, 'visitor', { token: other.token });
    t.match(await request(socket, 'test.whoami'), { ok: true, data: { tenantId: globex.id, visitorId: other.visitorId } });
  });

  t.test('a signed-out session and a disabled member cannot connect', async (t) => {
    const leaving = await app.member('acme', 'agent');
    t.ok(await connect(t, app.url, 'agent', { token: leaving.token }), 'connects while signed in');
    const out = await app.request({ method: 'POST', url: '/api/auth/logout', token: leaving.token });
    t.equal(out.statusCode, 200);
    t.match(await refused(t, app.url, 'agent', { token: leaving.token }), { data: { code: 'UNAUTHENTICATED' } });

    const disabled = await app.member('acme', 'agent');
    const fresh = await app.login('acme', disabled.email, disabled.password);
    const res = await app.request({ method: 'PATCH', url: `/api/members/${disabled.id}`, token: acme.adminToken, body: { disabled: true } });
    t.equal(res.statusCode, 200, res.body);
    for (const token of [disabled.token, fresh]) {
      t.match(await refused(t, app.url, 'agent', { token }), { data: { code: 'UNAUTHENTICATED' } });
    }
  });

  t.test('a second namespace on the same connection still reads the cookie', async (t) => {
    // One engine.io connection carrying /visitor (token) and then /agent (cookie), as a page using
    // both would open by default.
    const manager = new Manager(app.url, { transports: ['polling'], extraHeaders: { cookie: `parley_session=${agent.token}` }, reconnection: false });
    const first = manager.socket('/visitor', { auth: { token: visitor.token } });
    t.teardown(() => { first.disconnect(); manager.engine?.close(); });
    await new Promise<void>((resolve, reject) => { first.once('connect', () => resolve()); first.once('connect_error', reject); });
    await sleep(100);
    const second = manager.socket('/agent');
    t.teardown(() => { second.disconnect(); });
    await new Promise<void>((resolve, reject) => { second.once('connect', () => resolve()); second.once('connect_error', reject); });
    t.equal(first.io.engine.id, second.io.engine.id, 'one connection');
    t.match(await request(second, 'test.whoami'), { ok: true, data: { memberId: agent.id } });
    t.match(await request(first, 'test.whoami'), { ok: true, data: { visitorId: visitor.visitorId } });
  });

  t.test('the main namespace and unknown namespaces are refused', async (t) => {
    t.match(await refused(t, app.url, '', { token: agent.token }), { data: { code: 'NOT_FOUND' } });
    t.match(await refused(t, app.url, 'admin', { token: agent.token }), { message: 'Invalid namespace' });
  });
});
