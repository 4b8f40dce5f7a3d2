import t from 'tap';
import crypto from 'node:crypto';
import { createTestApp } from '../../../test/helpers/app.ts';
import { ManualClock } from '../../../core/clock.ts';
import { identifySignature } from '../src/profiles/identify.ts';

const C = '/api/customers';
const DAY = 86400_000;
const clock = new ManualClock(new Date('2026-03-01T09:00:00Z'));
// One app for the file; each test uses tenants of its own.
const appPromise = createTestApp(t, {}, { clock });
let n = 0;

async function setup() {
  const app = await appPromise;
  const slug = `cu-${++n}`;
  const a = await app.tenant(slug);
  const agent = await app.member(slug, 'agent');
  const call = (token: string, method: string, url: string, body?: unknown) => app.request({ method, url: `${C}${url}`, token, body });
  return { app, slug, a, agent, call };
}

t.test('read-only fields cannot be changed by any role, only set at creation or by the signed identify call', async (t) => {
  const { app, slug, a, agent, call } = await setup();
  const field = await call(a.adminToken, 'POST', '/fields', { key: 'member_level', label: 'Member level', type: 'single', options: ['gold', 'silver'], readOnly: true });
  t.equal(field.statusCode, 201);
  const created = await call(agent.token, 'POST', '/profiles', { values: { name: 'Li Lei', member_level: 'gold', email: 'li@example.com' } });
  t.equal(created.statusCode, 201, 'set when the customer is created');
  const id = created.json().id;
  t.equal(created.json().custom.member_level, 'gold');

  for (const [who, token] of [['admin', a.adminToken], ['agent', agent.token]] as const) {
    const res = await call(token, 'PATCH', `/profiles/${id}`, { values: { member_level: 'silver' } });
    t.equal(res.statusCode, 403, `${who} cannot change it`);
    t.equal(res.json().code, 'FIELD_READ_ONLY');
    const cleared = await call(token, 'PATCH', `/profiles/${id}`, { values: { member_level: null } });
    t.equal(cleared.json().code, 'FIELD_READ_ONLY', `${who} cannot clear it either`);
  }
  const same = await call(agent.token, 'PATCH', `/profiles/${id}`, { values: { member_level: 'gold', company: 'ACME' } });
  t.equal(same.statusCode, 200, 'sending the unchanged value with other changes is fine');
  t.equal(same.json().company, 'ACME');

  const emailField = (await call(a.adminToken, 'GET', '/fields')).json().items.find((f: { key: string }) => f.key === 'email');
  t.equal((await call(a.adminToken, 'PATCH', `/fields/${emailField.id}`, { readOnly: true })).statusCode, 200, 'a system field can be made read-only');
  t.equal((await call(a.adminToken, 'PATCH', `/profiles/${id}`, { values: { email: 'other@example.com' } })).json().code, 'FIELD_READ_ONLY');
  t.equal((await call(a.adminToken, 'GET', `/profiles/${id}`)).json().email, 'li@example.com', 'nothing changed');

  // The tenant's own site signs values for its user; that may set read-only fields.
  const secret = (await app.request({ method: 'GET', url: '/api/tenant/identity-secret', token: a.adminToken })).json().secret as string;
  const externalId = 'user-42';
  const identitySig = crypto.createHmac('sha256', secret).update(externalId).digest('base64url');
  const visitor = (await app.request({ method: 'POST', url: '/api/visitor/session', body: { tenant: slug, identity: { externalId, signature: identitySig } } })).json();
  const values = { name: 'Han Meimei', member_level: 'silver' };
  const identify = (body: unknown, token = visitor.token) => app.request({ method: 'POST', url: `${C}/visitor/identify`, token, body });
  const bad = await identify({ externalId, values, signature: identifySignature(secret, externalId, { ...values, member_level: 'gold' }) });
  t.equal(bad.statusCode, 403);
  t.equal(bad.json().code, 'IDENTITY_SIGNATURE_INVALID');
  const stranger = (await app.request({ method: 'POST', url: '/api/visitor/session', body: { tenant: slug } })).json();
  const replay = await identify({ externalId, values, signature: identifySignature(secret, externalId, values) }, stranger.token);
  t.equal(replay.json().code, 'IDENTITY_MISMATCH', 'a signature cannot be replayed onto another visitor');
  const good = await identify({ externalId, values, signature: identifySignature(secret, externalId, values) });
  t.equal(good.statusCode, 200);
  const profile = (await call(a.adminToken, 'GET', `/profiles/by-visitor/${visitor.visitorId}`)).json();
  t.equal(profile.custom.member_level, 'silver');
  const again = await identify({ externalId, values: { member_level: 'gold' }, signature: identifySignature(secret, externalId, { member_level: 'gold' }) });
  t.equal(again.statusCode, 200, 'the site may change it again');
  t.equal((await call(a.adminToken, 'GET', `/profiles/${profile.id}`)).json().custom.member_level, 'gold');
});

t.test('field values are validated by type', async (t) => {
  const { a, call } = await setup();
  await call(a.adminToken, 'POST', '/fields', { key: 'orders', label: 'Orders', type: 'number' });
  await call(a.adminToken, 'POST', '/fields', { key: 'birthday', label: 'Birthday', type: 'date' });
  await call(a.adminToken, 'POST', '/fields', { key: 'interests', label: 'Interests', type: 'multi', options: ['tea', 'coffee'] });
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ orders: 'many' }, 'orders'],
    [{ birthday: '2026-13-45' }, 'birthday'],
    [{ interests: ['beer'] }, 'interests'],
    [{ email: 'not-an-email' }, 'email'],
    [{ nosuch: 'x' }, 'nosuch'],
  ];
  for (const [values, field] of cases) {
    const res = await call(a.adminToken, 'POST', '/profiles', { values });
    t.equal(res.statusCode, 400, JSON.stringify(values));
    t.equal(res.json().field, field);
  }
  const ok = await call(a.adminToken, 'POST', '/profiles', { values: { orders: 3, birthday: '1990-05-01', interests: ['tea', 'tea'], name: '<script>alert(1)</script>' } });
  t.equal(ok.statusCode, 201);
  t.same(ok.json().custom, { orders: 3, birthday: '1990-05-01', interests: ['tea'] });
  t.equal(ok.json().name, '<script>alert(1)</script>', 'text is stored as text and returned as JSON');
  t.equal((await call(a.adminToken, 'POST', '/fields', { key: 'name', label: 'x', type: 'text' })).json().code, 'FIELD_KEY_RESERVED');
  t.equal((await call(a.adminToken, 'POST', '/fields', { key: 'level', label: 'x', type: 'single' })).json().code, 'FIELD_OPTIONS_REQUIRED');
});

t.test('at most 10 rule groups; the 11th is refused and nothing is stored', async (t) => {
  const { a, call } = await setup();
  for (let i = 1; i <= 10; i++) {
    const res = await call(a.adminToken, 'POST', '/groups', { name: `Rule ${i}`, kind: 'rule', conditions: [{ field: 'session_count', op: 'gte', value: i }] });
    t.equal(res.statusCode, 201, `rule ${i}`);
  }
  const eleventh = await call(a.adminToken, 'POST', '/groups', { name: 'Rule 11', kind: 'rule', conditions: [{ field: 'session_count', op: 'gte', value: 11 }] });
  t.equal(eleventh.statusCode, 409);
  t.equal(eleventh.json().code, 'RULE_GROUP_LIMIT');
  const manual = await call(a.adminToken, 'POST', '/groups', { name: 'VIP', kind: 'manual', vip: true });
  t.equal(manual.statusCode, 201, 'manual groups do not count towards the limit');
  const groups = (await call(a.adminToken, 'GET', '/groups')).json().items;
  t.equal(groups.filter((g: { kind: string }) => g.kind === 'rule').length, 10);
  t.notOk(groups.some((g: { name: string }) => g.name === 'Rule 11'));
  const bad = await call(a.adminToken, 'POST', '/groups', { name: 'Bad', kind: 'manual', conditions: [] });
  t.equal(bad.statusCode, 201, 'an empty condition list on a manual group is fine');
  const invalid = await call(a.adminToken, 'PATCH', `/groups/${groups[0].id}`, { conditions: [{ field: 'nosuch', op: 'eq', value: 'x' }] });
  t.equal(invalid.json().code, 'INVALID_CONDITION');
});

t.test('a customer leaves "created within 3 days" once three days have passed, and joins "older than 3 days"', async (t) => {
  const { app, a, call } = await setup();
  const recent = await call(a.adminToken, 'POST', '/groups', { name: 'New customers', kind: 'rule', conditions: [{ field: 'created_at', op: 'within_days', value: 3 }] });
  const old = await call(a.adminToken, 'POST', '/groups', { name: 'Established', kind: 'rule', conditions: [{ field: 'created_at', op: 'older_than_days', value: 3 }] });
  const members = async (groupId: string) => (await call(a.adminToken, 'GET', `/profiles?groupId=${groupId}`)).json().items.map((p: { name: string }) => p.name).sort();

  const first = (await call(a.adminToken, 'POST', '/profiles', { values: { name: 'First' } })).json();
  t.same(first.groups.map((g: { name: string }) => g.name), ['New customers'], 'joins on creation');
  clock.advance(2 * DAY);
  const second = (await call(a.adminToken, 'POST', '/profiles', { values: { name: 'Second' } })).json();
  t.ok(second);
  await app.kernel.jobs.runNow('customers.rule-sweep');
  t.same(await members(recent.json().id), ['First', 'Second'], 'both are new after two days');

  clock.advance(1 * DAY + 1000);
  t.same(await members(recent.json().id), ['First', 'Second'], 'membership does not change until the sweep runs');
  await app.kernel.jobs.runNow('customers.rule-sweep');
  t.same(await members(recent.json().id), ['Second'], 'First left three days after creation');
  t.same(await members(old.json().id), ['First'], 'and joined the "older than" group');

  clock.advance(2 * DAY);
  await app.kernel.jobs.runNow('customers.rule-sweep');
  t.same(await members(recent.json().id), []);
  t.same(await members(old.json().id), ['First', 'Second']);
  const due = await app.kernel.knex('customers_profiles').whereNotNull('rule_recheck_at').count<{ count: number }[]>('* as count');
  t.equal(Number(due[0]!.count), 0, 'no profile waits for a re-check once no time condition can change');
});

t.test('agents see only agent-visible groups; data-driven rules follow changes', async (t) => {
  const { a, agent, call } = await setup();
  const hidden = (await call(a.adminToken, 'POST', '/groups', { name: 'Churn risk', kind: 'rule', agentVisible: false, conditions: [{ field: 'tags', op: 'has', value: 'complained' }] })).json();
  const shown = (await call(a.adminToken, 'POST', '/groups', { name: 'Tea lovers', kind: 'rule', matchMode: 'any', conditions: [{ field: 'company', op: 'contains', value: 'tea' }, { field: 'tags', op: 'has', value: 'tea' }] })).json();
  const p = (await call(agent.token, 'POST', '/profiles', { values: { name: 'Wang' }, tags: ['complained'] })).json();
  t.same(p.groups.map((g: { name: string }) => g.name), [], 'the agent does not see the hidden group on the profile');
  t.same((await call(a.adminToken, 'GET', `/profiles/${p.id}`)).json().groups.map((g: { name: string }) => g.name), ['Churn risk'], 'the admin does');
  t.same((await call(agent.token, 'GET', '/groups')).json().items.map((g: { name: string }) => g.name), ['Tea lovers']);
  t.equal((await call(agent.token, 'GET', `/profiles?groupId=${hidden.id}`)).statusCode, 404, 'nor can the agent list its members');

  const updated = (await call(agent.token, 'PATCH', `/profiles/${p.id}`, { values: { company: 'Green Tea Ltd' }, tags: [] })).json();
  t.same(updated.groups.map((g: { name: string }) => g.name), ['Tea lovers'], 'joins when it starts matching (any of the conditions)');
  t.same((await call(a.adminToken, 'GET', `/profiles/${p.id}`)).json().groups.map((g: { name: string }) => g.name), ['Tea lovers'], 'left the hidden group when the tag went');
  const manualAdd = await call(a.adminToken, 'PUT', `/groups/${shown.id}/members/${p.id}`);
  t.equal(manualAdd.json().code, 'RULE_GROUP_MEMBERSHIP', 'rule groups cannot be edited by hand');
});

t.test('conversations: a visitor becomes a customer, session counts feed rules, VIP customers are queued first', async (t) => {
  const { app, slug, a, call } = await setup();
  const regular = await call(a.adminToken, 'POST', '/groups', { name: 'Returning', kind: 'rule', conditions: [{ field: 'session_count', op: 'gte', value: 1 }] });
  t.equal(regular.statusCode, 201);
  const vip = (await call(a.adminToken, 'POST', '/groups', { name: 'VIP', kind: 'manual', vip: true })).json();
  const visitor = async (name: string) => ({ ...(await app.request({ method: 'POST', url: '/api/visitor/session', body: { tenant: slug, name } })).json(), name });
  const start = (v: { token: string; name: string }) => app.request({ method: 'POST', url: '/api/conversations/visitor/sessions', token: v.token, body: { name: v.name } });

  const plain = await visitor('Plain');
  const special = await visitor('Special');
  t.equal((await start(special)).statusCode, 200);
  await new Promise((r) => setTimeout(r, 300));
  const profile = await call(a.adminToken, 'GET', `/profiles/by-visitor/${special.visitorId}`);
  t.equal(profile.statusCode, 200, 'the visitor got a customer profile');
  t.equal(profile.json().sessionCount, 1);
  t.same(profile.json().groups.map((g: { name: string }) => g.name), ['Returning'], 'the session count rule matched');
  // Close that session, make the customer VIP, then queue a regular visitor before the VIP one.
  const mine = (await app.request({ method: 'GET', url: '/api/conversations/visitor/sessions', token: special.token })).json().sessions[0];
  await app.request({ method: 'POST', url: `/api/conversations/visitor/sessions/${mine.id}/leave`, token: special.token });
  t.equal((await call(a.adminToken, 'PUT', `/groups/${vip.id}/members/${profile.json().id}`)).statusCode, 200);
  t.equal((await start(plain)).statusCode, 200);
  clock.advance(1000);
  t.equal((await start(special)).statusCode, 200);
  const queue = await app.request({ method: 'GET', url: '/api/conversations/queue', token: a.adminToken });
  t.equal(queue.statusCode, 200);
  const names = (queue.json().sessions ?? queue.json().items).map((s: { visitor: { name: string } }) => s.visitor.name);
  t.same(names, ['Special', 'Plain'], 'the VIP customer is first although they came later');
});

t.test("another tenant's customers and groups are out of reach", async (t) => {
  const { a, call } = await setup();
  const other = await setup();
  const p = (await call(a.adminToken, 'POST', '/profiles', { values: { name: 'Mine' } })).json();
  const g = (await call(a.adminToken, 'POST', '/groups', { name: 'Mine', kind: 'manual' })).json();
  const f = (await call(a.adminToken, 'POST', '/fields', { key: 'x', label: 'X', type: 'text' })).json();
  for (const [method, url, body] of [
    ['GET', `/profiles/${p.id}`],
    ['PATCH', `/profiles/${p.id}`, { values: { name: 'Stolen' } }],
    ['PATCH', `/groups/${g.id}`, { name: 'Stolen' }],
    ['DELETE', `/groups/${g.id}`],
    ['PUT', `/groups/${g.id}/members/${p.id}`],
    ['PATCH', `/fields/${f.id}`, { label: 'Stolen' }],
    ['DELETE', `/fields/${f.id}`],
  ] as Array<[string, string, unknown?]>) {
    t.equal((await other.call(other.a.adminToken, method, url, body)).statusCode, 404, `${method} ${url}`);
  }
  t.equal((await call(a.adminToken, 'GET', `/profiles/${p.id}`)).json().name, 'Mine');
  t.equal((await call(a.adminToken, 'GET', '/groups')).json().items[0].name, 'Mine');
  t.same((await other.call(other.a.adminToken, 'GET', '/profiles?q=Mine')).json().items, []);
});
