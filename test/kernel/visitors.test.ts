import t from 'tap';
import crypto from 'node:crypto';
import { createTestApp } from '../helpers/app.ts';

const app = await createTestApp(t);
const acme = await app.tenant('acme');
const globex = await app.tenant('globex');
const session = (body: Record<string, unknown>) => app.request({ method: 'POST', url: '/api/visitor/session', body });
const me = (token: string) => app.request({ method: 'GET', url: '/api/visitor/me', token });
const secretOf = async (adminToken: string) => {
  const res = await app.request({ method: 'GET', url: '/api/tenant/identity-secret', token: adminToken });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json().secret as string;
};
const sign = (secret: string, externalId: string) => crypto.createHmac('sha256', secret).update(externalId).digest('base64url');
const visitorCount = async (tenantId: string) => Number((await app.kernel.knex('visitors').where({ tenant_id: tenantId }).count({ n: '*' }).first())!.n);

t.test('a visitor session gives a token scoped to the tenant', async (t) => {
  const res = await session({ tenant: 'acme', name: 'Vera' });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.match(body, { token: /^pv1\./, visitorId: String, tenantId: acme.id, created: true });
  const who = await me(body.token);
  t.equal(who.statusCode, 200);
  t.same(who.json(), { visitorId: body.visitorId, tenantId: acme.id });
  const row = await app.kernel.knex('visitors').where({ id: body.visitorId }).first();
  t.match(row, { tenant_id: acme.id, name: 'Vera' });
});

t.test('the token resumes the same visitor', async (t) => {
  const first = (await session({ tenant: 'acme' })).json();
  const before = await visitorCount(acme.id);
  const again = await session({ tenant: 'acme', token: first.token, email: 'vera@example.com' });
  t.equal(again.statusCode, 200);
  t.match(again.json(), { visitorId: first.visitorId, tenantId: acme.id, created: false });
  t.equal(await visitorCount(acme.id), before, 'no new visitor');
  const row = await app.kernel.knex('visitors').where({ id: first.visitorId }).first();
  t.equal(row.email, 'vera@example.com', 'details given later are kept');
});

t.test('a token of tenant A used with tenant B starts a new visitor in B', async (t) => {
  const inAcme = (await session({ tenant: 'acme', name: 'Acme visitor' })).json();
  const inGlobex = await session({ tenant: 'globex', token: inAcme.token, name: 'Renamed' });
  t.equal(inGlobex.statusCode, 200);
  const body = inGlobex.json();
  t.not(body.visitorId, inAcme.visitorId, 'not A\'s visitor');
  t.equal(body.tenantId, globex.id);
  t.equal(body.created, true);
  t.same((await me(body.token)).json(), { visitorId: body.visitorId, tenantId: globex.id });
  const acmeRow = await app.kernel.knex('visitors').where({ id: inAcme.visitorId }).first();
  t.match(acmeRow, { tenant_id: acme.id, name: 'Acme visitor' }, 'A\'s visitor is untouched');
});

t.test('a tampered or foreign token is refused', async (t) => {
  const a = (await session({ tenant: 'acme' })).json();
  const b = (await session({ tenant: 'acme' })).json();
  const [version, payload, sig] = a.token.split('.');
  const data = JSON.parse(Buffer.from(payload, 'base64url').toString());
  const reencode = (d: unknown) => Buffer.from(JSON.stringify(d)).toString('base64url');
  const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
  const tampered = {
    'another visitor id in the payload': `${version}.${reencode({ ...data, v: b.visitorId })}.${sig}`,
    'another tenant in the payload': `${version}.${reencode({ ...data, t: globex.id })}.${sig}`,
    'a later expiry': `${version}.${reencode({ ...data, exp: data.exp + 1 })}.${sig}`,
    'a changed signature': `${version}.${payload}.${flip(sig)}`,
    'no signature': `${version}.${payload}.`,
    'an unknown version': `pv2.${payload}.${sig}`,
    'garbage': 'pv1.%%%.%%%',
    'a member session token': acme.adminToken,
  };
  for (const [what, token] of Object.entries(tampered)) {
    const res = await me(token);
    t.equal(res.statusCode, 401, what);
    t.equal(res.json().code, 'UNAUTHENTICATED', what);
  }
  const expiredPayload = reencode({ ...data, exp: Date.now() - 1000 });
  const expired = `${version}.${expiredPayload}.${crypto.createHmac('sha256', 'wrong-secret').update(expiredPayload).digest('base64url')}`;
  t.equal((await me(expired)).statusCode, 401, 'expired and wrongly signed');

  const resumed = await session({ tenant: 'acme', token: `${version}.${reencode({ ...data, v: b.visitorId })}.${sig}` });
  t.not(resumed.json().visitorId, b.visitorId, 'a forged token does not resume someone else');
  t.equal((await app.request({ method: 'GET', url: '/api/tenant', token: a.token })).statusCode, 401, 'a visitor token is not a member token');
});

t.test('a signed identity finds the same visitor every time', async (t) => {
  const secret = await secretOf(acme.adminToken);
  const identity = { externalId: 'user-42', signature: sign(secret, 'user-42') };
  const first = await session({ tenant: 'acme', identity, name: 'Known user' });
  t.equal(first.statusCode, 200);
  t.equal(first.json().created, true);
  const second = await session({ tenant: 'acme', identity });
  t.equal(second.json().visitorId, first.json().visitorId, 'same visitor on another device (no token)');
  t.equal(second.json().created, false);
  const row = await app.kernel.knex('visitors').where({ id: first.json().visitorId }).first();
  t.equal(row.external_id, 'user-42');
});

t.test('an anonymous visitor who signs in becomes the known user; a known one is never merged into another', async (t) => {
  const secret = await secretOf(acme.adminToken);
  const anon = (await session({ tenant: 'acme' })).json();
  const alice = await session({ tenant: 'acme', token: anon.token, identity: { externalId: 'alice', signature: sign(secret, 'alice') } });
  t.equal(alice.json().visitorId, anon.visitorId, 'the anonymous visitor is now alice');
  const bob = await session({ tenant: 'acme', token: alice.json().token, identity: { externalId: 'bob', signature: sign(secret, 'bob') } });
  t.equal(bob.statusCode, 200);
  t.not(bob.json().visitorId, anon.visitorId, 'bob on alice\'s browser is a different visitor');
  const aliceRow = await app.kernel.knex('visitors').where({ id: anon.visitorId }).first();
  t.equal(aliceRow.external_id, 'alice', 'alice keeps her identity');
});

t.test('a bad identity signature is 403 and creates nothing', async (t) => {
  const acmeSecret = await secretOf(acme.adminToken);
  const globexSecret = await secretOf(globex.adminToken);
  t.not(acmeSecret, globexSecret, 'each tenant has its own secret');
  const before = await visitorCount(acme.id);
  const cases = {
    'signed for another id': { externalId: 'mallory', signature: sign(acmeSecret, 'user-42') },
    'signed with another tenant\'s secret': { externalId: 'user-42', signature: sign(globexSecret, 'user-42') },
    'not base64url of an HMAC': { externalId: 'user-42', signature: 'nope' },
  };
  for (const [what, identity] of Object.entries(cases)) {
    const res = await session({ tenant: 'acme', identity });
    t.equal(res.statusCode, 403, what);
    t.match(res.json(), { statusCode: 403, code: 'IDENTITY_SIGNATURE_INVALID' }, what);
  }
  t.equal(await visitorCount(acme.id), before);
});

t.test('the identity secret is for settings managers only and cannot sign visitor tokens', async (t) => {
  const agent = await app.member('acme', 'agent');
  const res = await app.request({ method: 'GET', url: '/api/tenant/identity-secret', token: agent.token });
  t.equal(res.statusCode, 403);
  const secret = await secretOf(acme.adminToken);
  const tenantRow = await app.kernel.knex('tenants').where({ id: acme.id }).first();
  t.not(secret, tenantRow.visitor_secret, 'the token-signing key is never handed out');
  const visitor = (await session({ tenant: 'acme' })).json();
  const payload = visitor.token.split('.')[1];
  const forged = `pv1.${payload}.${crypto.createHmac('sha256', secret).update(payload).digest('base64url')}`;
  t.equal((await me(forged)).statusCode, 401, 'a token signed with the identity secret is refused');
});

t.test('bad requests', async (t) => {
  const unknown = await session({ tenant: 'no-such-tenant' });
  t.equal(unknown.statusCode, 404);
  t.match(unknown.json(), { code: 'TENANT_NOT_FOUND' });
  const noTenant = await session({});
  t.match(noTenant.json(), { statusCode: 400, field: 'tenant' });
  const longName = await session({ tenant: 'acme', name: 'x'.repeat(101) });
  t.match(longName.json(), { statusCode: 400, field: 'name' });
  const noToken = await app.request({ method: 'GET', url: '/api/visitor/me' });
  t.equal(noToken.statusCode, 401);
});

t.test('plugins look a visitor up through auth.visitor(), within one tenant', async (t) => {
  const secret = await secretOf(globex.adminToken);
  const known = (await session({ tenant: 'globex', name: 'Kim', email: 'kim@globex.test', identity: { externalId: 'u-77', signature: sign(secret, 'u-77') } })).json();
  const view = await app.kernel.auth.visitor(globex.id, known.visitorId);
  t.match(view, { id: known.visitorId, externalId: 'u-77', name: 'Kim', email: 'kim@globex.test', createdAt: Date, lastSeenAt: Date });
  t.same(Object.keys(view!).sort(), ['createdAt', 'email', 'externalId', 'id', 'lastSeenAt', 'name'], 'a view, not the row');
  t.equal(await app.kernel.auth.visitor(acme.id, known.visitorId), undefined, "another tenant's visitor is not found");
  t.equal(await app.kernel.auth.visitor(globex.id, 'not-a-uuid'), undefined, 'a malformed id finds nothing, without a database error');
});

t.test('plugins learn which database they use and its pool size', async (t) => {
  const { kind, connections } = app.kernel.database;
  t.equal(kind, process.env.DATABASE_URL ? 'postgres' : 'pglite');
  t.equal(connections, kind === 'pglite' ? 1 : 10, 'PGlite has one connection; the server pool opens ten');
});
