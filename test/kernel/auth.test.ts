import t from 'tap';
import { createTestApp } from '../helpers/app.ts';
import { SESSION_COOKIE, LIVE_COOKIE } from '../../core/http/access.ts';

const RATE_MAX = 4;
const app = await createTestApp(t, { loginRateLimit: { max: RATE_MAX, windowMs: 60_000 } });
const acme = await app.tenant('acme');
const login = (body: Record<string, unknown>) => app.request({ method: 'POST', url: '/api/auth/login', body });
const loginKinds = async (memberId: string) =>
  (await app.kernel.knex('login_events').where({ member_id: memberId }).orderBy('id').select('kind')).map((r: { kind: string }) => r.kind);
const cookie = (res: Awaited<ReturnType<typeof login>>, name: string) => res.cookies.find((c) => c.name === name);

t.test('login answers a token, the member and a session cookie', async (t) => {
  const agent = await app.member('acme', 'agent');
  const res = await login({ tenant: 'acme', email: agent.email.toUpperCase(), password: agent.password });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.match(body.token, /^ps_/);
  t.equal(body.tenantId, acme.id);
  t.match(body.member, { id: agent.id, email: agent.email, roleKey: 'agent', disabled: false });
  t.notOk('password' in body.member || 'passwordHash' in body.member || 'password_hash' in body.member, 'no password material in the answer');
  t.equal(cookie(res, SESSION_COOKIE)?.value, body.token);
  t.equal(cookie(res, SESSION_COOKIE)?.httpOnly, true);

  const me = await app.request({ method: 'GET', url: '/api/auth/me', token: body.token });
  t.equal(me.statusCode, 200);
  t.equal(me.json().member.id, agent.id);
});

t.test('wrong password, unknown email and unknown tenant answer the same 401', async (t) => {
  const agent = await app.member('acme', 'agent');
  const attempts = [
    { tenant: 'acme', email: agent.email, password: 'wrong password' },
    { tenant: 'acme', email: 'nobody@acme.test', password: agent.password },
    { tenant: 'no-such-tenant', email: agent.email, password: agent.password },
  ];
  const bodies = [];
  for (const attempt of attempts) {
    const res = await login(attempt);
    t.equal(res.statusCode, 401, JSON.stringify(attempt));
    t.notOk(cookie(res, SESSION_COOKIE), 'no cookie is set');
    bodies.push(res.json());
  }
  t.match(bodies[0], { statusCode: 401, code: 'UNAUTHENTICATED', message: String });
  t.same(bodies[1], bodies[0], 'unknown email is indistinguishable from a wrong password');
  t.same(bodies[2], bodies[0], 'unknown tenant is indistinguishable from a wrong password');
  t.same(await loginKinds(agent.id), ['manual'], 'failed attempts record no login event');
});

t.test('a disabled member cannot sign in and loses open sessions', async (t) => {
  const agent = await app.member('acme', 'agent');
  const off = await app.request({ method: 'PATCH', url: `/api/members/${agent.id}`, token: acme.adminToken, body: { disabled: true } });
  t.equal(off.statusCode, 200);
  const res = await login({ tenant: 'acme', email: agent.email, password: agent.password });
  t.equal(res.statusCode, 403);
  t.match(res.json(), { statusCode: 403, code: 'MEMBER_DISABLED' });
  const wrong = await login({ tenant: 'acme', email: agent.email, password: 'not the password' });
  t.equal(wrong.statusCode, 401, 'a wrong password still says nothing about the account');
  const me = await app.request({ method: 'GET', url: '/api/auth/me', token: agent.token });
  t.equal(me.statusCode, 401, 'the session from before is gone');
});

t.test('logout invalidates the token and clears the cookies', async (t) => {
  const agent = await app.member('acme', 'agent');
  const other = await app.login('acme', agent.email, agent.password);
  const out = await app.request({ method: 'POST', url: '/api/auth/logout', token: agent.token });
  t.equal(out.statusCode, 200);
  t.same(out.json(), { ok: true });
  const cleared = cookie(out, SESSION_COOKIE);
  t.ok(cleared && cleared.expires && cleared.expires.getTime() < Date.now(), 'session cookie expired');
  const me = await app.request({ method: 'GET', url: '/api/auth/me', token: agent.token });
  t.equal(me.statusCode, 401);
  t.match(me.json(), { code: 'UNAUTHENTICATED' });
  const again = await app.request({ method: 'POST', url: '/api/auth/logout', token: agent.token });
  t.equal(again.statusCode, 401, 'a logged-out token cannot log out again');
  const stillIn = await app.request({ method: 'GET', url: '/api/auth/me', token: other });
  t.equal(stillIn.statusCode, 200, 'other sessions of the member stay signed in');
});

t.test('an expired session is refused', async (t) => {
  const agent = await app.member('acme', 'agent');
  await app.kernel.knex('member_sessions').where({ member_id: agent.id }).update({ expires_at: new Date(Date.now() - 1000) });
  const me = await app.request({ method: 'GET', url: '/api/auth/me', token: agent.token });
  t.equal(me.statusCode, 401);
});

t.test('remember me sets a cookie for 7 days; otherwise a browser-session cookie', async (t) => {
  const agent = await app.member('acme', 'agent');
  const remembered = await login({ tenant: 'acme', email: agent.email, password: agent.password, remember: true });
  t.equal(remembered.statusCode, 200);
  const persistent = cookie(remembered, SESSION_COOKIE)!;
  t.ok(persistent.expires, 'remembered cookie has Expires');
  const days = (persistent.expires!.getTime() - Date.now()) / 86_400_000;
  t.ok(days > 6.9 && days <= 7, `expires in ~7 days (${days.toFixed(3)})`);
  t.match(remembered.headers['set-cookie'], /parley_session=[^;]+;.*Expires=/);
  const expiresAt = new Date(remembered.json().expiresAt).getTime();
  t.ok(Math.abs(expiresAt - persistent.expires!.getTime()) < 2000, 'cookie and token expire together');
  t.notOk(cookie(remembered, LIVE_COOKIE)?.expires, 'the live marker lasts for the browser session only');

  const plain = await login({ tenant: 'acme', email: agent.email, password: agent.password });
  const session = cookie(plain, SESSION_COOKIE)!;
  t.equal(session.expires, undefined, 'no Expires: a browser-session cookie');
  t.equal(session.maxAge, undefined, 'no Max-Age either');
  const hours = (new Date(plain.json().expiresAt).getTime() - Date.now()) / 3_600_000;
  t.ok(hours > 1 && hours <= 24, `a plain session token is short-lived (${hours.toFixed(1)} h)`);

  const viaCookie = await app.request({ method: 'GET', url: '/api/auth/me', headers: { cookie: `${SESSION_COOKIE}=${session.value}; ${LIVE_COOKIE}=1` } });
  t.equal(viaCookie.statusCode, 200, 'the session cookie authenticates /api/auth/me');
  t.equal(viaCookie.json().member.id, agent.id);
});

t.test('a remembered session reopening the console records a remembered login', async (t) => {
  const agent = await app.member('acme', 'agent'); // signs in once with a password
  t.same(await loginKinds(agent.id), ['manual']);
  const res = await login({ tenant: 'acme', email: agent.email, password: agent.password, remember: true });
  const token = res.json().token as string;
  t.same(await loginKinds(agent.id), ['manual', 'manual'], 'a password login is manual, remembered or not');

  const live = await app.request({ method: 'GET', url: '/api/auth/me', headers: { cookie: `${SESSION_COOKIE}=${token}; ${LIVE_COOKIE}=1` } });
  t.equal(live.statusCode, 200);
  t.same(await loginKinds(agent.id), ['manual', 'manual'], 'the same browser session is not a new login');

  const reopened = await app.request({ method: 'GET', url: '/api/auth/me', headers: { cookie: `${SESSION_COOKIE}=${token}` } });
  t.equal(reopened.statusCode, 200);
  t.same(await loginKinds(agent.id), ['manual', 'manual', 'remembered'], 'reopening the console is a remembered login');
  t.ok(cookie(reopened, LIVE_COOKIE), 'the live marker is set again');

  const bearer = await app.request({ method: 'GET', url: '/api/auth/me', token });
  t.equal(bearer.statusCode, 200);
  t.same(await loginKinds(agent.id), ['manual', 'manual', 'remembered'], 'API calls with the bearer token are not logins');

  const plainToken = await app.login('acme', agent.email, agent.password);
  await app.request({ method: 'GET', url: '/api/auth/me', headers: { cookie: `${SESSION_COOKIE}=${plainToken}` } });
  t.same(await loginKinds(agent.id), ['manual', 'manual', 'remembered', 'manual'], 'a session that is not remembered never counts as remembered');
});

t.test('passwords are stored as scrypt hashes, never in plain', async (t) => {
  const agent = await app.member('acme', 'agent');
  const row = await app.kernel.knex('members').where({ id: agent.id }).first();
  t.match(row.password_hash, /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
  t.notOk(row.password_hash.includes(agent.password));
  const other = await app.member('acme', 'agent');
  const otherRow = await app.kernel.knex('members').where({ id: other.id }).first();
  t.not(otherRow.password_hash, row.password_hash, 'the same password hashes differently (salted)');
  const sessions = await app.kernel.knex('member_sessions').where({ member_id: agent.id }).select('token_hash');
  t.notOk(sessions.some((s: { token_hash: string }) => s.token_hash === agent.token), 'session tokens are stored as digests');
});

t.test(`login is rate-limited to ${RATE_MAX} attempts per address`, async (t) => {
  const agent = await app.member('acme', 'agent'); // one attempt used
  for (let i = 1; i < RATE_MAX; i++) {
    const res = await login({ tenant: 'acme', email: agent.email, password: `guess ${i}` });
    t.equal(res.statusCode, 401, `attempt ${i + 1} is answered`);
  }
  const blocked = await login({ tenant: 'acme', email: agent.email, password: agent.password });
  t.equal(blocked.statusCode, 429, 'even the right password is refused once over the limit');
  t.match(blocked.json(), { statusCode: 429, code: 'TOO_MANY_ATTEMPTS', message: /try again/ });
  t.notOk(cookie(blocked, SESSION_COOKIE));
  const kinds = await loginKinds(agent.id);
  t.same(kinds, ['manual'], 'the blocked attempt did not sign in');

  const colleague = await app.member('acme', 'agent');
  const ok = await login({ tenant: 'acme', email: colleague.email, password: colleague.password });
  t.equal(ok.statusCode, 200, 'another address is not locked out by the attack on this one');
});
