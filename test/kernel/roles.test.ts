import t from 'tap';
import { createTestApp } from '../helpers/app.ts';

const app = await createTestApp(t);
const acme = await app.tenant('acme');
const admin = acme.adminToken;
const roleReq = (method: string, url: string, body?: unknown, token = admin) => app.request({ method, url: `/api/roles${url}`, token, body });

interface TreeNode { key: string; label: { en: string; 'zh-CN': string }; owner: string; children: TreeNode[] }

t.test('the permission tree lists the kernel nodes with labels in both languages', async (t) => {
  const res = await roleReq('GET', '/permissions');
  t.equal(res.statusCode, 200);
  const tree = res.json().tree as TreeNode[];
  const settings = tree.find((n) => n.key === 'settings');
  t.ok(settings, 'a settings module');
  t.same(settings!.children.map((c) => c.key).sort(), ['settings.api-keys', 'settings.members', 'settings.plugins', 'settings.roles', 'settings.tenant']);
  const walk = (nodes: TreeNode[]): TreeNode[] => nodes.flatMap((n) => [n, ...walk(n.children)]);
  for (const node of walk(tree)) {
    t.ok(node.label.en && node.label['zh-CN'], `${node.key} is labelled in en and zh-CN`);
    t.ok(app.kernel.permissions.has(node.key), `${node.key} is a registered node`);
  }
});

t.test('system roles are listed with their effective grants', async (t) => {
  const res = await roleReq('GET', '');
  t.equal(res.statusCode, 200);
  const items = res.json().items as Array<{ key: string; system: boolean; grants: string[] }>;
  t.match(items.find((r) => r.key === 'admin'), { system: true, grants: ['*'] });
  const agent = items.find((r) => r.key === 'agent')!;
  t.equal(agent.system, true);
  t.notOk(agent.grants.some((g) => g.startsWith('settings')), 'agents hold no settings node');
});

t.test('granting a node grants its descendants, and only them', async (t) => {
  const create = await roleReq('POST', '', { name: 'Settings manager', grants: ['settings'] });
  t.equal(create.statusCode, 201);
  const role = create.json();
  t.match(role, { key: /^role-/, name: 'Settings manager', system: false, grants: ['settings'] });
  const manager = await app.member('acme', role.key);
  for (const url of ['/api/members', '/api/roles', '/api/api-keys', '/api/plugins']) {
    const res = await app.request({ method: 'GET', url, token: manager.token });
    t.equal(res.statusCode, 200, `settings grants ${url}`);
  }

  const narrow = (await roleReq('POST', '', { name: 'Members only', grants: ['settings.members'] })).json();
  const clerk = await app.member('acme', narrow.key);
  t.equal((await app.request({ method: 'GET', url: '/api/members', token: clerk.token })).statusCode, 200, 'the child node itself');
  const denied = await app.request({ method: 'GET', url: '/api/roles', token: clerk.token });
  t.equal(denied.statusCode, 403, 'a sibling is not granted');
  t.match(denied.json(), { statusCode: 403, code: 'PERMISSION_DENIED', message: /settings\.roles/ });

  const widened = await roleReq('PATCH', `/${narrow.key}`, { grants: ['settings.members', 'settings.roles'] });
  t.equal(widened.statusCode, 200);
  t.same(widened.json().grants, ['settings.members', 'settings.roles']);
  t.equal((await app.request({ method: 'GET', url: '/api/roles', token: clerk.token })).statusCode, 200, 'a grant takes effect on the next request');
});

t.test('an unknown grant is refused and changes nothing', async (t) => {
  const before = await app.kernel.knex('roles').where({ tenant_id: acme.id }).count({ n: '*' }).first();
  for (const grants of [['settings.nope'], ['*'], ['settings', 'Settings'], ['settings.members.']]) {
    const res = await roleReq('POST', '', { name: 'Bad', grants });
    t.equal(res.statusCode, 400, JSON.stringify(grants));
    t.match(res.json(), { statusCode: 400, code: 'UNKNOWN_PERMISSION', field: 'grants' });
  }
  const after = await app.kernel.knex('roles').where({ tenant_id: acme.id }).count({ n: '*' }).first();
  t.equal(Number(after!.n), Number(before!.n));

  const role = (await roleReq('POST', '', { name: 'Keep', grants: ['settings.tenant'] })).json();
  const bad = await roleReq('PATCH', `/${role.key}`, { grants: ['settings.tenant', 'bogus'] });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { code: 'UNKNOWN_PERMISSION' });
  const list = (await roleReq('GET', '')).json().items;
  t.same(list.find((r: { key: string }) => r.key === role.key).grants, ['settings.tenant'], 'the role kept its grants');
});

t.test('system roles cannot be edited or deleted', async (t) => {
  for (const key of ['admin', 'agent']) {
    const patch = await roleReq('PATCH', `/${key}`, { name: 'Renamed', grants: [] });
    t.equal(patch.statusCode, 403, `PATCH ${key}`);
    t.match(patch.json(), { code: 'SYSTEM_ROLE' });
    const del = await roleReq('DELETE', `/${key}`);
    t.equal(del.statusCode, 403, `DELETE ${key}`);
    t.match(del.json(), { code: 'SYSTEM_ROLE' });
  }
  const rows = await app.kernel.knex('roles').where({ tenant_id: acme.id, system: true }).orderBy('key');
  t.same(rows.map((r: { key: string; name: string }) => [r.key, r.name]), [['admin', 'Administrator'], ['agent', 'Agent']]);
});

t.test('a role in use cannot be deleted; an unused one can', async (t) => {
  const role = (await roleReq('POST', '', { name: 'Temp', grants: ['settings.tenant'] })).json();
  const holder = await app.member('acme', role.key);
  const del = await roleReq('DELETE', `/${role.key}`);
  t.equal(del.statusCode, 409);
  t.match(del.json(), { code: 'ROLE_IN_USE' });
  t.equal((await app.request({ method: 'GET', url: '/api/tenant', token: holder.token })).statusCode, 200, 'the holder keeps working');
  const moved = await app.request({ method: 'PATCH', url: `/api/members/${holder.id}`, token: admin, body: { roleKey: 'agent' } });
  t.equal(moved.statusCode, 200);
  const del2 = await roleReq('DELETE', `/${role.key}`);
  t.equal(del2.statusCode, 200);
  t.equal((await roleReq('DELETE', `/${role.key}`)).statusCode, 404, 'deleting twice: not found');
  t.notOk(await app.kernel.knex('roles').where({ tenant_id: acme.id, key: role.key }).first());
});

t.test('nobody hands out permissions they do not hold', async (t) => {
  const rolesOnly = (await roleReq('POST', '', { name: 'Role editor', grants: ['settings.roles'] })).json();
  const editor = await app.member('acme', rolesOnly.key);
  const wide = await roleReq('POST', '', { name: 'Everything', grants: ['settings'] }, editor.token);
  t.equal(wide.statusCode, 403);
  t.match(wide.json(), { code: 'PERMISSION_ESCALATION', message: /settings/ });
  const self = await roleReq('PATCH', `/${rolesOnly.key}`, { grants: ['settings'] }, editor.token);
  t.equal(self.statusCode, 403, 'not even by widening their own role');
  const stored = await app.kernel.knex('roles').where({ tenant_id: acme.id, key: rolesOnly.key }).first();
  t.same(stored.grants, ['settings.roles']);
  const within = await roleReq('POST', '', { name: 'Also roles', grants: ['settings.roles'] }, editor.token);
  t.equal(within.statusCode, 201, 'what they hold, they may give');
});

t.test('an agent gets 403 PERMISSION_DENIED on every kernel settings route', async (t) => {
  const agent = await app.member('acme', 'agent');
  const settingsRoutes = app.http.routeCatalogue.filter((r) => !r.pluginId && r.permission?.startsWith('settings') && r.method !== 'HEAD');
  t.ok(settingsRoutes.length >= 12, `${settingsRoutes.length} settings routes`);
  for (const r of settingsRoutes) {
    const url = r.url.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
    const res = await app.request({ method: r.method, url, token: agent.token, body: ['GET', 'DELETE'].includes(r.method) ? undefined : {} });
    t.equal(res.statusCode, 403, `${r.method} ${r.url}`);
    t.equal(res.json().code, 'PERMISSION_DENIED');
  }
  const me = await app.request({ method: 'GET', url: '/api/auth/me', token: agent.token });
  t.equal(me.statusCode, 200, 'the agent is signed in all the same');
});
