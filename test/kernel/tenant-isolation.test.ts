/**
 * Two tenants; tenant B's admin aims every kernel route that takes an id or key at tenant A's
 * records. The table of cases must cover every such route: a new one fails the coverage test
 * until a case is written for it.
 */
import t, { type Test } from 'tap';
import { fileURLToPath } from 'node:url';
import { createTestApp } from '../helpers/app.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const app = await createTestApp(t, { pluginPaths: [fixture('probe-included'), fixture('probe-addon')] });
const knex = app.kernel.knex;
const A = await app.tenant('tenant-a', { edition: 'flagship' });
const B = await app.tenant('tenant-b', { edition: 'flagship' });
const asA = (method: string, url: string, body?: unknown) => app.request({ method, url, token: A.adminToken, body });
const asB = (method: string, url: string, body?: unknown) => app.request({ method, url, token: B.adminToken, body });

// Tenant A's records.
const aAgent = await app.member('tenant-a', 'agent');
const aRole = (await asA('POST', '/api/roles', { name: 'A role', grants: ['settings.tenant'] })).json();
const aKey = (await asA('POST', '/api/api-keys', { name: 'A key', roleKey: 'agent' })).json();
await asA('POST', '/api/plugins/probe-included/disable');
await asA('PUT', '/api/plugins/probe-included/settings', { settings: { greeting: 'A only' } });

/** Everything of tenant A in the kernel's tables. */
const snapshotOfA = async () => {
  const of = (table: string, order: string) => knex(table).where({ tenant_id: A.id }).orderBy(order);
  return {
    tenant: await knex('tenants').where({ id: A.id }).first(),
    members: await of('members', 'id'),
    roles: await of('roles', 'id'),
    apiKeys: await of('api_keys', 'id'),
    sessions: (await of('member_sessions', 'id')).map((s: { id: string }) => s.id),
    plugins: await of('tenant_plugins', 'plugin_id'),
    visitors: await of('visitors', 'id'),
  };
};

type Res = Awaited<ReturnType<typeof asA>>;
const notFound = (t: Test, res: Res, code: string) => {
  t.equal(res.statusCode, 404, `404 ${code}`);
  t.equal(res.json().code, code);
};
const pluginOf = async (as: typeof asA, id: string) => (await as('GET', '/api/plugins')).json().items.find((p: { id: string }) => p.id === id);

/** One case per kernel route with a path parameter: B's attempt, and proof that A's id was real. */
const cases: Record<string, (t: Test) => Promise<void>> = {
  // Public and tenant-free: a plugin's widget code is static and the same for every tenant.
  'GET /widget/plugins/:file': async (t) => {
    t.equal((await asB('GET', '/widget/plugins/..%2F..%2Fpackage.json')).statusCode, 404, 'only plugin ids are served');
  },
  // Public by design: lists the plugins a tenant's widget loads, nothing of the tenant's data.
  'GET /api/visitor/ui/:tenant': async (t) => {
    const res = await asB('GET', '/api/visitor/ui/no-such-tenant');
    t.equal(res.statusCode, 404);
  },
  'PATCH /api/members/:id': async (t) => {
    for (const id of [aAgent.id, A.adminId]) {
      notFound(t, await asB('PATCH', `/api/members/${id}`, { name: 'pwned', disabled: true, roleKey: 'agent', password: 'pwned password' }), 'MEMBER_NOT_FOUND');
    }
    t.equal((await app.request({ method: 'GET', url: '/api/auth/me', token: aAgent.token })).statusCode, 200, 'A\'s agent is still signed in');
  },
  'DELETE /api/api-keys/:id': async (t) => {
    notFound(t, await asB('DELETE', `/api/api-keys/${aKey.id}`), 'API_KEY_NOT_FOUND');
  },
  'PATCH /api/roles/:key': async (t) => {
    notFound(t, await asB('PATCH', `/api/roles/${aRole.key}`, { name: 'pwned', grants: ['settings'] }), 'ROLE_NOT_FOUND');
  },
  'DELETE /api/roles/:key': async (t) => {
    notFound(t, await asB('DELETE', `/api/roles/${aRole.key}`), 'ROLE_NOT_FOUND');
  },
  'POST /api/plugins/:id/disable': async (t) => {
    // Plugin ids are shared by all tenants; B switching one off must only switch it off for B.
    t.equal((await pluginOf(asA, 'probe-addon')).enabled, true);
    const res = await asB('POST', '/api/plugins/probe-addon/disable');
    t.equal(res.statusCode, 200);
    t.equal(res.json().enabled, false);
    t.equal((await pluginOf(asA, 'probe-addon')).enabled, true, 'still on for A');
  },
  'POST /api/plugins/:id/enable': async (t) => {
    const res = await asB('POST', '/api/plugins/probe-included/enable');
    t.equal(res.statusCode, 200);
    t.equal(res.json().enabled, true);
    t.equal((await pluginOf(asA, 'probe-included')).enabled, false, 'still off for A');
  },
  'GET /api/plugins/:id/settings': async (t) => {
    const res = await asB('GET', '/api/plugins/probe-included/settings');
    t.equal(res.statusCode, 200);
    t.same(res.json().settings, { greeting: 'hello' }, 'B sees its own defaults, not A\'s settings');
    t.same((await asA('GET', '/api/plugins/probe-included/settings')).json().settings, { greeting: 'A only' });
  },
  'PUT /api/plugins/:id/settings': async (t) => {
    const res = await asB('PUT', '/api/plugins/probe-included/settings', { settings: { greeting: 'B was here' } });
    t.equal(res.statusCode, 200);
    t.same((await asB('GET', '/api/plugins/probe-included/settings')).json().settings, { greeting: 'B was here' });
    t.same((await asA('GET', '/api/plugins/probe-included/settings')).json().settings, { greeting: 'A only' });
  },
  'GET /ui/plugins/:id/*': async (t) => {
    // Gated on the caller's own tenant: off for A, on for B (no UI file in this fixture).
    notFound(t, await asA('GET', '/ui/plugins/probe-included/console.js'), 'PLUGIN_DISABLED');
    notFound(t, await asB('GET', '/ui/plugins/probe-included/console.js'), 'UI_FILE_NOT_FOUND');
  },
  'GET /widget/:file': async (t) => {
    // The widget's static bundle holds no tenant data: the same answer whoever asks.
    const a = await asA('GET', '/widget/no-such-file.js');
    const b = await asB('GET', '/widget/no-such-file.js');
    t.equal(a.statusCode, b.statusCode);
    t.equal(a.body, b.body);
  },
};
for (const route of ['GET /api/operator/tenants/:tenant', 'PATCH /api/operator/tenants/:tenant', 'PUT /api/operator/tenants/:tenant/addons/:addon',
  'DELETE /api/operator/tenants/:tenant/addons/:addon', 'POST /api/operator/tenants/:tenant/members', 'GET /api/operator/tenants/:tenant/plugins']) {
  cases[route] = async (t) => {
    // The operator API crosses tenants by design, so a tenant admin may not call it at all.
    const [method, path] = route.split(' ') as [string, string];
    const url = path.replace(':tenant', 'tenant-a').replace(':addon', 'probe-addon');
    const res = await asB(method, url, method === 'GET' || method === 'DELETE' ? undefined : { name: 'pwned', seats: 1, email: 'x@tenant-a.test', password: 'pwned password', roleKey: 'admin' });
    t.equal(res.statusCode, 401);
  };
}

t.test('every kernel route with a path parameter has an isolation case', async (t) => {
  const withParams = app.http.routeCatalogue
    .filter((r) => !r.pluginId && r.method !== 'HEAD' && r.url.includes(':'))
    .map((r) => `${r.method} ${r.url}`);
  t.ok(withParams.length >= 14, `${withParams.length} routes`);
  t.same(withParams.filter((r) => !cases[r]), [], 'routes without a case: write one in this file');
  t.same(Object.keys(cases).filter((c) => !withParams.includes(c)), [], 'cases for routes that no longer exist');
});

for (const [route, attack] of Object.entries(cases)) {
  t.test(`tenant B cannot reach tenant A through ${route}`, async (t) => {
    const before = await snapshotOfA();
    await attack(t);
    t.same(await snapshotOfA(), before, 'tenant A\'s rows are unchanged');
  });
}

t.test('A\'s ids were real: A\'s admin can use them', async (t) => {
  t.equal((await asA('PATCH', `/api/members/${aAgent.id}`, { name: 'Renamed by A' })).statusCode, 200);
  t.equal((await asA('PATCH', `/api/roles/${aRole.key}`, { name: 'Renamed by A' })).statusCode, 200);
  t.equal((await app.request({ method: 'GET', url: '/api/tenant', token: aKey.key })).statusCode, 200, 'A\'s key still works');
  t.equal((await asA('DELETE', `/api/api-keys/${aKey.id}`)).statusCode, 200);
  t.equal((await asA('DELETE', `/api/roles/${aRole.key}`)).statusCode, 200);
});

t.test('lists and reads show only the caller\'s tenant', async (t) => {
  const aMarkers = [A.id, A.adminId, aAgent.id, aAgent.email, 'tenant-a', aRole.key];
  for (const url of ['/api/members', '/api/roles', '/api/api-keys', '/api/plugins', '/api/tenant', '/api/console/bootstrap', '/api/auth/me', '/api/roles/permissions']) {
    const res = await asB('GET', url);
    t.equal(res.statusCode, 200, url);
    for (const marker of aMarkers) t.notOk(res.body.includes(marker), `${url} does not mention ${marker}`);
  }
  t.equal((await asB('GET', '/api/tenant')).json().id, B.id);
});
