/**
 * What the plugin host enforces around switching plugins and registering things: required plugins,
 * dependencies, and registrations that would slip past the per-tenant gate.
 */
import t from 'tap';
import { appWith, fixtureCase, SAMPLE_DIGEST, SAMPLE_NOTES, sharedDatabase, startOn } from './support.ts';

t.test('a required plugin is on for every tenant and cannot be disabled', async (t) => {
  const app = await appWith(t, [fixtureCase('required-base')]);
  const a = await app.tenant('req-a', { edition: 'standard' });
  const view = async () => (await app.request({ method: 'GET', url: '/api/plugins', token: a.adminToken })).json().items[0];
  t.match(await view(), { id: 'required-base', required: true, enabled: true });
  const res = await app.request({ method: 'POST', url: '/api/plugins/required-base/disable', token: a.adminToken });
  t.equal(res.statusCode, 409);
  t.match(res.json(), { statusCode: 409, code: 'PLUGIN_REQUIRED', message: /cannot be disabled/ });
  t.match(await view(), { enabled: true });
});

t.test('dependencies: dependents block disabling, a dependency must be on first, and a dependent follows its dependency', async (t) => {
  const app = await appWith(t, [SAMPLE_NOTES, SAMPLE_DIGEST]);
  const a = await app.tenant('dep-a', { edition: 'flagship' });
  const b = await app.tenant('dep-b', { edition: 'flagship' });
  const post = (url: string, token = a.adminToken) => app.request({ method: 'POST', url, token });

  const inUse = await post('/api/plugins/sample-notes/disable');
  t.equal(inUse.statusCode, 409);
  t.match(inUse.json(), { code: 'PLUGIN_IN_USE', message: /Disable sample-digest first/ });
  t.match((await post('/api/plugins/sample-digest/disable')).json(), { enabled: false });
  t.match((await post('/api/plugins/sample-notes/disable')).json(), { enabled: false });
  const needs = await post('/api/plugins/sample-digest/enable');
  t.equal(needs.statusCode, 409);
  t.match(needs.json(), { code: 'PLUGIN_DEPENDENCY_DISABLED', message: /Enable sample-notes first/ });
  t.match((await post('/api/plugins/sample-notes/enable')).json(), { enabled: true });
  t.match((await post('/api/plugins/sample-digest/enable')).json(), { enabled: true });

  // The dependent works through the API its dependency exposes, scoped to the caller's tenant.
  const mine = (await app.request({ method: 'POST', url: '/api/sample-notes/notes', token: a.adminToken, body: { body: 'pin me' } })).json();
  const theirs = (await app.request({ method: 'POST', url: '/api/sample-notes/notes', token: b.adminToken, body: { body: 'not yours' } })).json();
  t.match((await app.request({ method: 'PUT', url: `/api/sample-digest/pins/${theirs.id}`, token: a.adminToken })).json(), { statusCode: 404, code: 'NOTE_NOT_FOUND' });
  t.match((await app.request({ method: 'PUT', url: '/api/sample-digest/pins/not-a-uuid', token: a.adminToken })).json(), { statusCode: 404, code: 'NOTE_NOT_FOUND' });
  t.same((await app.request({ method: 'PUT', url: `/api/sample-digest/pins/${mine.id}`, token: a.adminToken })).json(), { noteId: mine.id });
  const summary = (await app.request({ method: 'GET', url: '/api/sample-digest/summary', token: a.adminToken })).json();
  t.equal(summary.pins, 1);
  t.ok(summary.notes >= 1);

  // On the standard edition sample-notes is an add-on: without it the digest is off as well.
  const s = await app.tenant('dep-std', { edition: 'standard' });
  const list = (await app.request({ method: 'GET', url: '/api/plugins', token: s.adminToken })).json().items;
  t.match(list.find((p: { id: string }) => p.id === 'sample-digest'), { licensed: true, enabled: false });
  t.match((await app.request({ method: 'GET', url: '/api/sample-digest/summary', token: s.adminToken })).json(), { code: 'PLUGIN_DISABLED' });
  t.equal((await app.operator('PUT', '/api/operator/tenants/dep-std/addons/sample-notes')).statusCode, 200);
  t.match((await post('/api/plugins/sample-notes/enable', s.adminToken)).json(), { enabled: true });
  t.equal((await app.request({ method: 'GET', url: '/api/sample-digest/summary', token: s.adminToken })).statusCode, 200, 'included dependent comes on with its dependency');
  t.equal((await app.operator('DELETE', '/api/operator/tenants/dep-std/addons/sample-notes')).statusCode, 200);
  t.match((await app.request({ method: 'GET', url: '/api/sample-digest/summary', token: s.adminToken })).json(), { code: 'PLUGIN_DISABLED' }, 'and goes off with it');
  const boot = (await app.request({ method: 'GET', url: '/api/console/bootstrap', token: s.adminToken })).json();
  t.same(boot.plugins, []);
  t.notOk(JSON.stringify(boot.permissions).includes('sample-notes'), 'neither plugin\'s permission nodes are shown');
});

t.test('registrations that would escape the gate stop start-up', async (t) => {
  const db = await sharedDatabase(t);
  await t.rejects(startOn(db, [fixtureCase('public-without-tenant')]), {
    name: 'PluginStartError',
    message: /plugin public-without-tenant: public route \/api\/public-without-tenant\/status must name its tenant with a :tenant path parameter/,
  });
  await t.rejects(startOn(db, [fixtureCase('not-found-handler')]), {
    name: 'PluginStartError',
    message: /plugin not-found-handler: setNotFoundHandler is not available to plugins/,
  });
  await t.rejects(startOn(db, [fixtureCase('foreign-parent')]), {
    name: 'PluginStartError',
    message: /plugin foreign-parent puts permissions under "sample-notes", which belongs to neither the kernel nor a dependency/,
  });
  await t.rejects(startOn(db, [SAMPLE_NOTES, fixtureCase('foreign-parent')]), /which belongs to neither the kernel nor a dependency/);
});

t.test('hooks, routes and socket events can only be registered while the plugin starts', async (t) => {
  const app = await appWith(t, [fixtureCase('late-registration')]);
  const a = await app.tenant('late-a');
  const res = await app.request({ method: 'POST', url: '/api/late-registration/late', token: a.adminToken });
  t.match(res.json(), { registered: false, reason: 'plugin late-registration: ctx.hooks.onAction() must be called while the plugin starts, not later' });
  t.notOk(app.kernel.hooks.registrations().some((r) => r.owner === 'late-registration'));
});
