import t from 'tap';
import { fileURLToPath } from 'node:url';
import { createTestApp, OPERATOR_TOKEN } from '../helpers/app.ts';

const addonPlugin = fileURLToPath(new URL('./fixtures/probe-addon', import.meta.url));
const app = await createTestApp(t, { pluginPaths: [addonPlugin] });
const acme = await app.tenant('acme');
const tenantRow = (slug: string) => app.kernel.knex('tenants').where({ slug }).first();

t.test('the operator API needs the operator token', async (t) => {
  const visitor = (await app.request({ method: 'POST', url: '/api/visitor/session', body: { tenant: 'acme' } })).json().token;
  const routes = app.http.routeCatalogue.filter((r) => r.permission === '@operator' && r.method !== 'HEAD');
  t.ok(routes.length >= 8, `${routes.length} operator routes`);
  const callers: Record<string, string | undefined> = {
    'no token': undefined,
    'a wrong token': `${OPERATOR_TOKEN}x`,
    'a prefix of the token': OPERATOR_TOKEN.slice(0, -1),
    'a tenant admin\'s session': acme.adminToken,
    'a visitor token': visitor,
  };
  for (const r of routes) {
    const url = r.url.replace(':tenant', 'acme').replace(':addon', 'probe-addon');
    for (const [who, token] of Object.entries(callers)) {
      const res = await app.request({ method: r.method, url, token, body: ['GET', 'DELETE'].includes(r.method) ? undefined : { slug: 'sneaky', name: 'Sneaky', seats: 99 } });
      t.equal(res.statusCode, 401, `${r.method} ${r.url} with ${who}`);
    }
  }
  t.notOk(await tenantRow('sneaky'), 'no tenant was created');
  t.equal((await tenantRow('acme')).seats, 20, 'acme is unchanged');
});

t.test('creating a tenant makes its system roles', async (t) => {
  const res = await app.operator('POST', '/api/operator/tenants', { slug: 'new-co', name: 'New Co', edition: 'flagship', seats: 7 });
  t.equal(res.statusCode, 201);
  t.match(res.json(), { id: String, slug: 'new-co', name: 'New Co', edition: 'flagship', seats: 7, addons: [] });
  t.notOk('visitor_secret' in res.json() || 'visitorSecret' in res.json(), 'secrets stay inside');
  const roles = await app.kernel.knex('roles').where({ tenant_id: res.json().id }).orderBy('key');
  t.same(roles.map((r: { key: string; system: boolean }) => [r.key, r.system]), [['admin', true], ['agent', true]]);
  const list = await app.operator('GET', '/api/operator/tenants');
  t.same(list.json().items.map((x: { slug: string }) => x.slug), ['acme', 'new-co']);
  const byId = await app.operator('GET', `/api/operator/tenants/${res.json().id}`);
  t.equal(byId.json().slug, 'new-co', 'a tenant is found by id as well as slug');
});

t.test('tenant creation is validated and changes nothing when refused', async (t) => {
  const before = (await app.operator('GET', '/api/operator/tenants')).json().items.length;
  for (const slug of ['Acme', 'ab', '-acme', 'acme-', 'ac me', 'a'.repeat(41), 'acme_co', 'ünï']) {
    const res = await app.operator('POST', '/api/operator/tenants', { slug, name: 'X' });
    t.equal(res.statusCode, 400, JSON.stringify(slug));
    t.match(res.json(), { statusCode: 400, code: 'INVALID_SLUG', field: 'slug' });
  }
  const dup = await app.operator('POST', '/api/operator/tenants', { slug: 'acme', name: 'Another Acme' });
  t.equal(dup.statusCode, 409);
  t.match(dup.json(), { code: 'TENANT_EXISTS', field: 'slug' });
  t.match((await app.operator('POST', '/api/operator/tenants', { slug: 'okay', name: 'X', edition: 'gold' })).json(), { statusCode: 400, field: 'edition' });
  t.match((await app.operator('POST', '/api/operator/tenants', { slug: 'okay', name: 'X', seats: 0 })).json(), { statusCode: 400, field: 'seats' });
  t.match((await app.operator('POST', '/api/operator/tenants', { slug: 'okay' })).json(), { statusCode: 400, field: 'name' });
  const unknownAddon = await app.operator('POST', '/api/operator/tenants', { slug: 'okay', name: 'X', addons: ['no-such-plugin'] });
  t.equal(unknownAddon.statusCode, 404);
  t.match(unknownAddon.json(), { code: 'PLUGIN_NOT_FOUND' });
  t.equal((await app.operator('GET', '/api/operator/tenants')).json().items.length, before);
  t.equal((await tenantRow('acme')).name, 'Tenant acme');
});

t.test('the operator sets the edition, and the add-on licence follows it', async (t) => {
  const plugin = async () => (await app.operator('GET', '/api/operator/tenants/acme/plugins')).json().items.find((p: { id: string }) => p.id === 'probe-addon');
  t.match(await plugin(), { license: 'addon', licensed: false, enabled: false });
  const flagship = await app.operator('PATCH', '/api/operator/tenants/acme', { edition: 'flagship' });
  t.equal(flagship.statusCode, 200);
  t.equal(flagship.json().edition, 'flagship');
  t.match(await plugin(), { license: 'included', licensed: true, enabled: true }, 'included in flagship');
  const back = await app.operator('PATCH', '/api/operator/tenants/acme', { edition: 'standard' });
  t.equal(back.json().edition, 'standard');
  t.match(await plugin(), { licensed: false, enabled: false });
  const bad = await app.operator('PATCH', '/api/operator/tenants/acme', { edition: 'platinum' });
  t.equal(bad.statusCode, 400);
  t.equal((await tenantRow('acme')).edition, 'standard');
  const missing = await app.operator('PATCH', '/api/operator/tenants/nobody', { edition: 'flagship' });
  t.equal(missing.statusCode, 404);
  t.match(missing.json(), { code: 'TENANT_NOT_FOUND' });
});

t.test('granting and revoking an add-on', async (t) => {
  const admin = acme.adminToken;
  const enable = () => app.request({ method: 'POST', url: '/api/plugins/probe-addon/enable', token: admin });
  const refused = await enable();
  t.equal(refused.statusCode, 403);
  t.match(refused.json(), { code: 'PLUGIN_NOT_LICENSED' });

  const grant = await app.operator('PUT', '/api/operator/tenants/acme/addons/probe-addon');
  t.equal(grant.statusCode, 200);
  t.same(grant.json().addons, ['probe-addon']);
  const twice = await app.operator('PUT', '/api/operator/tenants/acme/addons/probe-addon');
  t.same(twice.json().addons, ['probe-addon'], 'granting twice keeps one entry');
  const enabled = await enable();
  t.equal(enabled.statusCode, 200);
  t.match(enabled.json(), { id: 'probe-addon', licensed: true, enabled: true });

  const revoke = await app.operator('DELETE', '/api/operator/tenants/acme/addons/probe-addon');
  t.equal(revoke.statusCode, 200);
  t.same(revoke.json().addons, []);
  const list = (await app.request({ method: 'GET', url: '/api/plugins', token: admin })).json().items;
  t.match(list.find((p: { id: string }) => p.id === 'probe-addon'), { licensed: false, enabled: false }, 'revoking switches it off');

  const unknown = await app.operator('PUT', '/api/operator/tenants/acme/addons/no-such-plugin');
  t.equal(unknown.statusCode, 404);
  t.match(unknown.json(), { code: 'PLUGIN_NOT_FOUND' });
  const unknownRevoke = await app.operator('DELETE', '/api/operator/tenants/acme/addons/no-such-plugin');
  t.equal(unknownRevoke.statusCode, 404);
  t.match(unknownRevoke.json(), { code: 'PLUGIN_NOT_FOUND' });
  t.same((await tenantRow('acme')).addons, []);
  const noTenant = await app.operator('PUT', '/api/operator/tenants/nobody/addons/probe-addon');
  t.equal(noTenant.statusCode, 404);
  t.match(noTenant.json(), { code: 'TENANT_NOT_FOUND' });
});

t.test('the operator creates members and changes seats', async (t) => {
  const seats = await app.operator('PATCH', '/api/operator/tenants/acme', { seats: 2 });
  t.equal(seats.json().seats, 2);
  const one = await app.operator('POST', '/api/operator/tenants/acme/members', { email: 'one@acme.test', name: 'One', password: 'long enough password', roleKey: 'agent' });
  t.equal(one.statusCode, 201);
  const two = await app.operator('POST', '/api/operator/tenants/acme/members', { email: 'two@acme.test', name: 'Two', password: 'long enough password', roleKey: 'agent' });
  t.equal(two.statusCode, 409);
  t.match(two.json(), { code: 'SEATS_EXHAUSTED' });
  const noTenant = await app.operator('POST', '/api/operator/tenants/nobody/members', { email: 'x@nobody.test', name: 'X', password: 'long enough password', roleKey: 'agent' });
  t.equal(noTenant.statusCode, 404);
});
