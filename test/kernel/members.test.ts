import t from 'tap';
import { createTestApp } from '../helpers/app.ts';

const app = await createTestApp(t);
const acme = await app.tenant('acme', { seats: 3 }); // the admin takes one seat
const admin = acme.adminToken;
const PASSWORD = 'long enough password';
const create = (body: Record<string, unknown>, token = admin) => app.request({ method: 'POST', url: '/api/members', token, body });
const patch = (id: string, body: Record<string, unknown>, token = admin) => app.request({ method: 'PATCH', url: `/api/members/${id}`, token, body });
const count = async () => Number((await app.kernel.knex('members').where({ tenant_id: acme.id }).count({ n: '*' }).first())!.n);

t.test('an admin creates a member who can then sign in', async (t) => {
  const res = await create({ email: '  Ann@Acme.TEST ', name: 'Ann', password: PASSWORD, roleKey: 'agent' });
  t.equal(res.statusCode, 201);
  t.match(res.json(), { id: String, email: 'ann@acme.test', name: 'Ann', roleKey: 'agent', disabled: false, createdAt: String });
  t.notOk(res.body.includes(PASSWORD));
  t.ok(await app.login('acme', 'ann@acme.test', PASSWORD));
  const list = await app.request({ method: 'GET', url: '/api/members', token: admin });
  t.same(list.json().items.map((m: { email: string }) => m.email), ['admin@acme.test', 'ann@acme.test']);
});

t.test('a duplicate email is a 409 naming the field', async (t) => {
  const before = await count();
  const res = await create({ email: 'ANN@acme.test', name: 'Ann again', password: PASSWORD, roleKey: 'agent' });
  t.equal(res.statusCode, 409);
  t.match(res.json(), { statusCode: 409, code: 'MEMBER_EXISTS', field: 'email' });
  t.equal(await count(), before);
});

t.test('an invalid email or password is a 400 naming the field', async (t) => {
  const before = await count();
  for (const email of ['not-an-email', 'a@b', 'two words@acme.test', 'x@@acme.test']) {
    const res = await create({ email, name: 'X', password: PASSWORD, roleKey: 'agent' });
    t.equal(res.statusCode, 400, email);
    t.match(res.json(), { statusCode: 400, code: 'INVALID_EMAIL', field: 'email' });
  }
  const short = await create({ email: 'short@acme.test', name: 'X', password: 'short', roleKey: 'agent' });
  t.equal(short.statusCode, 400);
  t.match(short.json(), { field: 'password' });
  const noName = await create({ email: 'noname@acme.test', password: PASSWORD, roleKey: 'agent' });
  t.match(noName.json(), { statusCode: 400, code: 'VALIDATION_FAILED', field: 'name' });
  const longName = await create({ email: 'long@acme.test', name: 'n'.repeat(101), password: PASSWORD, roleKey: 'agent' });
  t.match(longName.json(), { statusCode: 400, field: 'name' });
  const badRole = await create({ email: 'role@acme.test', name: 'X', password: PASSWORD, roleKey: 'overlord' });
  t.equal(badRole.statusCode, 404);
  t.match(badRole.json(), { code: 'ROLE_NOT_FOUND' });
  t.equal(await count(), before, 'nothing was created');
});

t.test('markup in a name is kept as text and returned verbatim as JSON', async (t) => {
  const name = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
  const res = await create({ email: 'xss@acme.test', name, password: PASSWORD, roleKey: 'agent' });
  t.equal(res.statusCode, 201);
  t.equal(res.json().name, name);
  const row = await app.kernel.knex('members').where({ tenant_id: acme.id, email: 'xss@acme.test' }).first();
  t.equal(row.name, name, 'stored as typed, not escaped or stripped');
  const list = await app.request({ method: 'GET', url: '/api/members', token: admin });
  t.match(list.headers['content-type'], /^application\/json/);
  t.equal(list.json().items.find((m: { email: string }) => m.email === 'xss@acme.test').name, name);
  const me = await app.request({ method: 'GET', url: '/api/auth/me', token: await app.login('acme', 'xss@acme.test', PASSWORD) });
  t.match(me.headers['content-type'], /^application\/json/);
  t.equal(me.json().member.name, name);
});

t.test('seats are enforced, re-enabling included', async (t) => {
  // admin + ann + xss = 3 seats of 3
  const before = await count();
  const full = await create({ email: 'fourth@acme.test', name: 'Fourth', password: PASSWORD, roleKey: 'agent' });
  t.equal(full.statusCode, 409);
  t.match(full.json(), { code: 'SEATS_EXHAUSTED', message: /3 seats/ });
  t.equal(await count(), before);

  const ann = (await app.request({ method: 'GET', url: '/api/members', token: admin })).json().items.find((m: { email: string }) => m.email === 'ann@acme.test');
  t.equal((await patch(ann.id, { disabled: true })).statusCode, 200, 'disabling frees a seat');
  const fourth = await create({ email: 'fourth@acme.test', name: 'Fourth', password: PASSWORD, roleKey: 'agent' });
  t.equal(fourth.statusCode, 201);
  const back = await patch(ann.id, { disabled: false });
  t.equal(back.statusCode, 409, 'a disabled member cannot come back while all seats are taken');
  t.match(back.json(), { code: 'SEATS_EXHAUSTED' });
  const row = await app.kernel.knex('members').where({ id: ann.id }).first();
  t.equal(row.disabled, true);

  await app.operator('PATCH', `/api/operator/tenants/${acme.id}`, { seats: 4 });
  t.equal((await patch(ann.id, { disabled: false })).statusCode, 200, 'with a seat bought, she can');
});

t.test('changing a password signs the member out everywhere', async (t) => {
  const res = await create({ email: 'pw@acme.test', name: 'Pw', password: PASSWORD, roleKey: 'agent' });
  t.equal(res.statusCode, 409, 'seats are full again');
  await app.operator('PATCH', `/api/operator/tenants/${acme.id}`, { seats: 20 });
  const pw = (await create({ email: 'pw@acme.test', name: 'Pw', password: PASSWORD, roleKey: 'agent' })).json();
  const one = await app.login('acme', 'pw@acme.test', PASSWORD);
  const two = await app.login('acme', 'pw@acme.test', PASSWORD);
  const changed = await patch(pw.id, { password: 'a brand new password' });
  t.equal(changed.statusCode, 200);
  for (const token of [one, two]) t.equal((await app.request({ method: 'GET', url: '/api/auth/me', token })).statusCode, 401);
  const old = await app.request({ method: 'POST', url: '/api/auth/login', body: { tenant: 'acme', email: 'pw@acme.test', password: PASSWORD } });
  t.equal(old.statusCode, 401, 'the old password no longer works');
  t.ok(await app.login('acme', 'pw@acme.test', 'a brand new password'));
  const weak = await patch(pw.id, { password: 'short' });
  t.equal(weak.statusCode, 400);
  t.match(weak.json(), { field: 'password' });
});

t.test('role changes take effect at once; the last admin stays', async (t) => {
  const bob = (await create({ email: 'bob@acme.test', name: 'Bob', password: PASSWORD, roleKey: 'agent' })).json();
  const token = await app.login('acme', 'bob@acme.test', PASSWORD);
  t.equal((await app.request({ method: 'GET', url: '/api/members', token })).statusCode, 403);
  t.equal((await patch(bob.id, { roleKey: 'admin' })).statusCode, 200);
  t.equal((await app.request({ method: 'GET', url: '/api/members', token })).statusCode, 200, 'the same session now has admin rights');
  t.equal((await patch(bob.id, { roleKey: 'agent' })).statusCode, 200);

  const demote = await patch(acme.adminId, { roleKey: 'agent' });
  t.equal(demote.statusCode, 409);
  t.match(demote.json(), { code: 'LAST_ADMIN' });
  const disable = await patch(acme.adminId, { disabled: true });
  t.equal(disable.statusCode, 409);
  const row = await app.kernel.knex('members').where({ id: acme.adminId }).first();
  t.match(row, { role_key: 'admin', disabled: false });
});

t.test('members route needs settings.members; nobody gives a role above their own', async (t) => {
  const agent = await app.member('acme', 'agent');
  const res = await create({ email: 'sneaky@acme.test', name: 'Sneaky', password: PASSWORD, roleKey: 'admin' }, agent.token);
  t.equal(res.statusCode, 403);
  t.match(res.json(), { code: 'PERMISSION_DENIED' });

  const role = await app.request({ method: 'POST', url: '/api/roles', token: admin, body: { name: 'HR', grants: ['settings.members'] } });
  const hr = await app.member('acme', role.json().key);
  const up = await create({ email: 'boss@acme.test', name: 'Boss', password: PASSWORD, roleKey: 'admin' }, hr.token);
  t.equal(up.statusCode, 403);
  t.match(up.json(), { code: 'PERMISSION_ESCALATION' });
  const self = await patch(hr.id, { roleKey: 'admin' }, hr.token);
  t.equal(self.statusCode, 403, 'not by promoting themselves');
  const lockOut = await patch(acme.adminId, { password: 'hijacked password' }, hr.token);
  t.equal(lockOut.statusCode, 403, 'nor by resetting an admin\'s password');
  t.ok(await app.login('acme', 'admin@acme.test', 'correct horse battery'), 'the admin\'s password is unchanged');
  const peer = await create({ email: 'peer@acme.test', name: 'Peer', password: PASSWORD, roleKey: role.json().key }, hr.token);
  t.equal(peer.statusCode, 201, 'members with their own role they may add');

  const agentGrants = (await app.request({ method: 'GET', url: '/api/roles', token: admin })).json().items.find((r: { key: string }) => r.key === 'agent').grants;
  const lead = await app.request({ method: 'POST', url: '/api/roles', token: admin, body: { name: 'Team lead', grants: ['settings.members', ...agentGrants] } });
  const teamLead = await app.member('acme', lead.json().key);
  const agentOk = await create({ email: 'new-agent@acme.test', name: 'New', password: PASSWORD, roleKey: 'agent' }, teamLead.token);
  t.equal(agentOk.statusCode, 201, 'someone holding what agents hold may add agents');
});
