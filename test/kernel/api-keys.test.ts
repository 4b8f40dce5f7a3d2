import t from 'tap';
import { createTestApp } from '../helpers/app.ts';

const app = await createTestApp(t);
const acme = await app.tenant('acme');
const admin = acme.adminToken;
const createRole = async (grants: string[]) => {
  const res = await app.request({ method: 'POST', url: '/api/roles', token: admin, body: { name: `grants ${grants.join(' ')}`, grants } });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json().key as string;
};
const createKey = (roleKey: string, token = admin, name = 'integration') =>
  app.request({ method: 'POST', url: '/api/api-keys', token, body: { name, roleKey } });

t.test('a key is shown once and acts with its role\'s permissions', async (t) => {
  const membersOnly = await createRole(['settings.members']);
  const res = await createKey(membersOnly);
  t.equal(res.statusCode, 201);
  const { id, key, prefix } = res.json();
  t.match(key, /^pk_[A-Za-z0-9_-]{20,}$/);
  t.ok(key.startsWith(prefix), 'the prefix identifies the key');

  const members = await app.request({ method: 'GET', url: '/api/members', token: key });
  t.equal(members.statusCode, 200, 'the key may do what its role grants');
  t.ok(members.json().items.some((m: { email: string }) => m.email === 'admin@acme.test'));
  const roles = await app.request({ method: 'GET', url: '/api/roles', token: key });
  t.equal(roles.statusCode, 403, 'and nothing more');
  t.match(roles.json(), { code: 'PERMISSION_DENIED' });
  const tenant = await app.request({ method: 'GET', url: '/api/tenant', token: key });
  t.equal(tenant.json().id, acme.id, 'the key belongs to its tenant');

  const stored = await app.kernel.knex('api_keys').where({ id }).first();
  t.not(stored.key_hash, key, 'only a digest is stored');
  t.notOk(JSON.stringify(stored).includes(key.slice(10)), 'the secret part is nowhere in the row');
  t.ok(stored.last_used_at, 'use is recorded');
});

t.test('an agent-role key cannot reach settings', async (t) => {
  const { key } = (await createKey('agent')).json();
  for (const url of ['/api/members', '/api/roles', '/api/api-keys', '/api/plugins']) {
    const res = await app.request({ method: 'GET', url, token: key });
    t.equal(res.statusCode, 403, url);
  }
});

t.test('the list never shows the key', async (t) => {
  const { id, key, prefix } = (await createKey('agent', admin, 'listed')).json();
  const res = await app.request({ method: 'GET', url: '/api/api-keys', token: admin });
  t.equal(res.statusCode, 200);
  const item = res.json().items.find((i: { id: string }) => i.id === id);
  t.match(item, { id, name: 'listed', prefix, roleKey: 'agent', createdAt: String });
  t.notOk('key' in item);
  t.notOk(res.body.includes(key), 'the full key is not in the listing');
});

t.test('a revoked key is refused', async (t) => {
  const { id, key } = (await createKey('admin')).json();
  t.equal((await app.request({ method: 'GET', url: '/api/tenant', token: key })).statusCode, 200);
  const revoke = await app.request({ method: 'DELETE', url: `/api/api-keys/${id}`, token: admin });
  t.equal(revoke.statusCode, 200);
  const after = await app.request({ method: 'GET', url: '/api/tenant', token: key });
  t.equal(after.statusCode, 401);
  t.match(after.json(), { code: 'UNAUTHENTICATED' });
  const list = (await app.request({ method: 'GET', url: '/api/api-keys', token: admin })).json();
  t.notOk(list.items.some((i: { id: string }) => i.id === id), 'revoked keys leave the list');
  const again = await app.request({ method: 'DELETE', url: `/api/api-keys/${id}`, token: admin });
  t.equal(again.statusCode, 404);
  t.match(again.json(), { code: 'API_KEY_NOT_FOUND' });
  const garbage = await app.request({ method: 'DELETE', url: '/api/api-keys/not-a-uuid', token: admin });
  t.equal(garbage.statusCode, 404);
});

t.test('bad requests are refused and create nothing', async (t) => {
  const before = await app.kernel.knex('api_keys').count({ n: '*' }).first();
  const unknownRole = await createKey('no-such-role');
  t.equal(unknownRole.statusCode, 404);
  t.match(unknownRole.json(), { code: 'ROLE_NOT_FOUND' });
  const noName = await app.request({ method: 'POST', url: '/api/api-keys', token: admin, body: { roleKey: 'agent' } });
  t.equal(noName.statusCode, 400);
  t.match(noName.json(), { code: 'VALIDATION_FAILED', field: 'name' });
  const forged = await app.request({ method: 'GET', url: '/api/tenant', token: 'pk_forged0000000000000000000000000' });
  t.equal(forged.statusCode, 401);
  const after = await app.kernel.knex('api_keys').count({ n: '*' }).first();
  t.equal(Number(after!.n), Number(before!.n));
});

t.test('a member cannot mint a key more powerful than themselves', async (t) => {
  const keysOnly = await createRole(['settings.api-keys']);
  const keeper = await app.member('acme', keysOnly);
  const escalate = await createKey('admin', keeper.token);
  t.equal(escalate.statusCode, 403);
  t.match(escalate.json(), { code: 'PERMISSION_ESCALATION' });
  const ownLevel = await createKey(keysOnly, keeper.token);
  t.equal(ownLevel.statusCode, 201, 'a key with the member\'s own role is fine');
});

t.test('a role used by a key cannot be deleted', async (t) => {
  const role = await createRole(['settings.tenant']);
  const { id } = (await createKey(role)).json();
  const del = await app.request({ method: 'DELETE', url: `/api/roles/${role}`, token: admin });
  t.equal(del.statusCode, 409);
  t.match(del.json(), { code: 'ROLE_IN_USE' });
  await app.request({ method: 'DELETE', url: `/api/api-keys/${id}`, token: admin });
  const del2 = await app.request({ method: 'DELETE', url: `/api/roles/${role}`, token: admin });
  t.equal(del2.statusCode, 200, 'once the key is revoked, the role can go');
});
