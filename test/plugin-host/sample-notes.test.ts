/**
 * The third-party fixture plugin (test/fixtures/plugins/sample-notes), loaded from the
 * configuration: enabled, disabled, unlicensed, and its settings.
 */
import t from 'tap';
import path from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { loadPluginDescriptors } from '../../core/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { appWith, connectSocket, emitWithAck, eventually, NO_BUILT_INS, SAMPLE_NOTES, visitorToken } from './support.ts';

const ID = 'sample-notes';

async function notesOf(app: TestApp, token: string) {
  const res = await app.request({ method: 'GET', url: '/api/sample-notes/notes', token });
  return res.json().items as Array<{ kind: string; body: string; authorId: string | null }>;
}

async function bootstrap(app: TestApp, token: string) {
  const res = await app.request({ method: 'GET', url: '/api/console/bootstrap', token });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json() as { plugins: Array<{ id: string }>; permissions: Array<{ key: string; children: Array<{ key: string }> }>; sampleNotes?: { count: number } };
}

const welcomeNotes = (app: TestApp, tenantId: string) =>
  app.kernel.knex('sample_notes_notes').where({ tenant_id: tenantId, kind: 'welcome' }).count<{ count: number }[]>({ count: '*' }).then(([r]) => Number(r!.count));

t.test('PARLEY_PLUGINS loads a plugin from outside plugins/, by absolute or relative path', async (t) => {
  const relative = path.relative(process.cwd(), SAMPLE_NOTES);
  for (const entry of [SAMPLE_NOTES, relative]) {
    const config = loadConfig({ PARLEY_PLUGINS: ` ${entry} ` });
    t.same(config.pluginPaths, [entry]);
    const [found] = loadPluginDescriptors(config, NO_BUILT_INS);
    t.equal(found!.manifest.id, ID);
    t.equal(found!.builtIn, false);
    t.equal(found!.dir, SAMPLE_NOTES);
  }
  t.throws(() => loadPluginDescriptors(loadConfig({ PARLEY_PLUGINS: 'test/fixtures/plugins/nope' }), NO_BUILT_INS), /plugin "test\/fixtures\/plugins\/nope" not found/);
});

t.test('enabled: routes, hooks, filter, socket events and outbox all work, per tenant', async (t) => {
  const app = await appWith(t, [SAMPLE_NOTES]);
  const a = await app.tenant('notes-a', { edition: 'flagship' });
  const b = await app.tenant('notes-b', { edition: 'flagship' });

  const listed = (await app.request({ method: 'GET', url: '/api/plugins', token: a.adminToken })).json().items;
  t.match(listed.find((p: { id: string }) => p.id === ID), { license: 'included', licensed: true, enabled: true, required: false });

  // The member.created action handler wrote a welcome note for the admin (after the fact).
  const first = await eventually(async () => {
    const notes = await notesOf(app, a.adminToken);
    return notes.length ? notes : undefined;
  });
  t.match(first, [{ kind: 'welcome', authorId: a.adminId }]);

  const created = await app.request({ method: 'POST', url: '/api/sample-notes/notes', token: a.adminToken, body: { body: '<script>alert(1)</script> refunds go through Anna' } });
  t.equal(created.statusCode, 201);
  t.match(created.headers['content-type'], /application\/json/);
  t.equal(created.json().body, '<script>alert(1)</script> refunds go through Anna', 'text is stored and returned as text, escaping is the renderer\'s job');

  for (const [body, code, field] of [[{}, 'VALIDATION_FAILED', 'body'], [{ body: 'x'.repeat(2001) }, 'VALIDATION_FAILED', 'body'], [{ body: '   ' }, 'EMPTY_NOTE', 'body'], [{ body: 'ok', authorId: b.adminId }, 'VALIDATION_FAILED', 'authorId']] as const) {
    const bad = await app.request({ method: 'POST', url: '/api/sample-notes/notes', token: a.adminToken, body });
    t.equal(bad.statusCode, 400);
    t.match(bad.json(), { statusCode: 400, code, field });
  }
  t.equal((await notesOf(app, a.adminToken)).length, 2, 'bad input changed nothing');

  // Agents hold sample-notes.read (declared `agent: true`) but not write.
  const agent = await app.member('notes-a', 'agent');
  t.equal((await app.request({ method: 'GET', url: '/api/sample-notes/notes', token: agent.token })).statusCode, 200);
  t.match((await app.request({ method: 'POST', url: '/api/sample-notes/notes', token: agent.token, body: { body: 'hi' } })).json(), { statusCode: 403, code: 'PERMISSION_DENIED' });

  // Tenant B sees none of A's notes.
  const bNotes = await eventually(async () => {
    const notes = await notesOf(app, b.adminToken);
    return notes.length ? notes : undefined;
  });
  t.same(bNotes.map((n) => n.kind), ['welcome']);

  t.same((await app.request({ method: 'GET', url: '/api/sample-notes/public/notes-a/greeting' })).json(), { greeting: 'Hello from the team' });
  const visitor = await visitorToken(app, 'notes-a');
  t.same((await app.request({ method: 'GET', url: '/api/sample-notes/visitor/greeting', token: visitor })).json(), { greeting: 'Hello from the team' });

  const boot = await bootstrap(app, a.adminToken);
  t.ok(boot.plugins.some((p) => p.id === ID), 'the console bootstrap lists the plugin');
  t.same(boot.permissions.find((n) => n.key === ID)?.children.map((c) => c.key), ['sample-notes.read', 'sample-notes.write']);
  t.equal(boot.sampleNotes?.count, 3, 'the console.bootstrap filter added its data');

  const outbox = await app.kernel.knex('domain_events').where({ tenant_id: a.id, source: ID });
  t.match(outbox, [{ type: 'sample-notes.note-created' }]);

  // The plugin's own declared action reaches other listeners, typed through declaration merging.
  const heard: string[] = [];
  app.kernel.hooks.onAction('core', 'sample-notes.note-created', ({ noteId }) => {
    heard.push(noteId);
  });

  const base = await app.listen();
  const agentSocket = await connectSocket(t, base, 'agent', agent.token);
  t.same(await emitWithAck(agentSocket, 'sample-notes:count', {}), { ok: true, data: { count: 3 } });
  t.match(await emitWithAck(agentSocket, 'sample-notes:count', { extra: 1 }), { ok: false, error: { code: 'VALIDATION_FAILED' } });
  const pushed = new Promise<{ body: string }>((resolve) => agentSocket.once('sample-notes:created', resolve));
  const note = (await app.request({ method: 'POST', url: '/api/sample-notes/notes', token: a.adminToken, body: { body: 'pushed to agents' } })).json();
  t.match(await pushed, { id: note.id, body: 'pushed to agents' });
  await eventually(async () => (heard.includes(note.id) ? true : undefined));
  const visitorSocket = await connectSocket(t, base, 'visitor', visitor);
  t.same(await emitWithAck(visitorSocket, 'sample-notes:greeting'), { ok: true, data: { greeting: 'Hello from the team' } });
});

t.test('disabled: routes, socket events, hooks, filter, bootstrap and permission nodes are all gone; data stays', async (t) => {
  const app = await appWith(t, [SAMPLE_NOTES]);
  const a = await app.tenant('notes-off', { edition: 'flagship' });
  const other = await app.tenant('notes-on', { edition: 'flagship' });
  const agent = await app.member('notes-off', 'agent');
  t.equal((await app.request({ method: 'POST', url: '/api/sample-notes/notes', token: a.adminToken, body: { body: 'kept' } })).statusCode, 201);
  const base = await app.listen();
  const socket = await connectSocket(t, base, 'agent', agent.token);
  t.match(await emitWithAck(socket, 'sample-notes:count'), { ok: true });

  const off = await app.request({ method: 'POST', url: `/api/plugins/${ID}/disable`, token: a.adminToken });
  t.equal(off.statusCode, 200);
  t.match(off.json(), { id: ID, enabled: false });

  const visitor = await visitorToken(app, 'notes-off');
  for (const [method, url, token] of [
    ['GET', '/api/sample-notes/notes', a.adminToken],
    ['POST', '/api/sample-notes/notes', a.adminToken],
    ['GET', '/api/sample-notes/notes', agent.token],
    ['GET', '/api/sample-notes/public/notes-off/greeting', undefined],
    ['GET', '/api/sample-notes/visitor/greeting', visitor],
  ] as const) {
    const res = await app.request({ method, url, token, body: method === 'POST' ? { body: 'x' } : undefined });
    t.equal(res.statusCode, 404, `${method} ${url}`);
    t.match(res.json(), { statusCode: 404, code: 'PLUGIN_DISABLED', message: /sample-notes/ });
  }
  t.equal((await app.request({ method: 'GET', url: '/api/sample-notes/public/notes-on/greeting' })).statusCode, 200, 'another tenant still has it');

  t.match(await emitWithAck(socket, 'sample-notes:count'), { ok: false, error: { statusCode: 404, code: 'PLUGIN_DISABLED' } }, 'a socket connected before is refused too');
  const fresh = await connectSocket(t, base, 'agent', a.adminToken);
  t.match(await emitWithAck(fresh, 'sample-notes:count'), { ok: false, error: { code: 'PLUGIN_DISABLED' } });
  const visitorSocket = await connectSocket(t, base, 'visitor', visitor);
  t.match(await emitWithAck(visitorSocket, 'sample-notes:greeting'), { ok: false, error: { code: 'PLUGIN_DISABLED' } });

  // Hooks: the bus delivers to nobody from the plugin, and running the action writes nothing.
  t.notOk((await app.kernel.hooks.recipients('action', 'member.created', a.id)).includes(ID));
  t.notOk((await app.kernel.hooks.recipients('filter', 'console.bootstrap', a.id)).includes(ID));
  t.ok((await app.kernel.hooks.recipients('action', 'member.created', other.id)).includes(ID), 'still delivered where enabled');
  const before = await welcomeNotes(app, a.id);
  await app.kernel.hooks.action('member.created', { tenantId: a.id }, { memberId: agent.id, roleKey: 'agent' });
  t.equal(await welcomeNotes(app, a.id), before, 'member.created handler did not run');

  const boot = await bootstrap(app, a.adminToken);
  t.notOk(boot.plugins.some((p) => p.id === ID), 'not in the console bootstrap');
  t.notOk(boot.permissions.some((n) => n.key === ID), 'its permission nodes left the tree');
  t.notOk('sampleNotes' in boot, 'its console.bootstrap filter did not run');
  const tree = (await app.request({ method: 'GET', url: '/api/roles/permissions', token: a.adminToken })).json().tree;
  t.notOk(tree.some((n: { key: string }) => n.key === ID), 'nor in the role editor\'s tree');

  // Background jobs work only for tenants that have the plugin on.
  const old = new Date(Date.now() - 40 * 24 * 3600_000);
  await app.kernel.knex('sample_notes_notes').whereIn('tenant_id', [a.id, other.id]).andWhere({ kind: 'welcome' }).update({ created_at: old });
  t.same(await app.kernel.pluginState.tenantsWith(ID), [other.id]);
  await app.kernel.jobs.runNow('sample-notes.tidy-welcomes');
  t.equal(await welcomeNotes(app, other.id), 0, 'old welcome notes tidied where the plugin is on');
  t.ok((await welcomeNotes(app, a.id)) > 0, 'and left alone where it is off');

  const on = await app.request({ method: 'POST', url: `/api/plugins/${ID}/enable`, token: a.adminToken });
  t.match(on.json(), { enabled: true });
  t.ok((await notesOf(app, a.adminToken)).some((n) => n.body === 'kept'), 'data written before disabling is still there');
  t.match(await emitWithAck(socket, 'sample-notes:count'), { ok: true });
});

t.test('unlicensed: an add-on must be granted; revoking switches it off and keeps its data', async (t) => {
  const app = await appWith(t, [SAMPLE_NOTES]);
  const a = await app.tenant('notes-std', { edition: 'standard' });
  const changes: Array<{ pluginId: string; enabled: boolean }> = [];
  app.kernel.hooks.onAction('core', 'plugin.enabled', ({ pluginId }) => void changes.push({ pluginId, enabled: true }));
  app.kernel.hooks.onAction('core', 'plugin.disabled', ({ pluginId }) => void changes.push({ pluginId, enabled: false }));

  const view = async () => (await app.request({ method: 'GET', url: '/api/plugins', token: a.adminToken })).json().items.find((p: { id: string }) => p.id === ID);
  t.match(await view(), { license: 'addon', licensed: false, enabled: false });
  const refused = await app.request({ method: 'POST', url: `/api/plugins/${ID}/enable`, token: a.adminToken });
  t.equal(refused.statusCode, 403);
  t.match(refused.json(), { code: 'PLUGIN_NOT_LICENSED', message: /add-on for the standard edition/ });
  t.match((await app.request({ method: 'GET', url: '/api/sample-notes/notes', token: a.adminToken })).json(), { code: 'PLUGIN_DISABLED' });
  t.equal(await welcomeNotes(app, a.id), 0, 'no hook ran for the unlicensed tenant');

  t.match((await app.operator('PUT', '/api/operator/tenants/notes-std/addons/nope')).json(), { statusCode: 404, code: 'PLUGIN_NOT_FOUND' });
  t.equal((await app.operator('PUT', `/api/operator/tenants/notes-std/addons/${ID}`)).statusCode, 200);
  t.match(await view(), { licensed: true, enabled: false }, 'a granted add-on starts switched off');
  t.match((await app.request({ method: 'POST', url: `/api/plugins/${ID}/enable`, token: a.adminToken })).json(), { enabled: true });
  t.equal((await app.request({ method: 'POST', url: '/api/sample-notes/notes', token: a.adminToken, body: { body: 'bought and used' } })).statusCode, 201);

  t.equal((await app.operator('DELETE', `/api/operator/tenants/notes-std/addons/${ID}`)).statusCode, 200);
  t.match(await view(), { licensed: false, enabled: false });
  t.match((await app.request({ method: 'GET', url: '/api/sample-notes/notes', token: a.adminToken })).json(), { code: 'PLUGIN_DISABLED' });
  t.match((await app.request({ method: 'POST', url: `/api/plugins/${ID}/enable`, token: a.adminToken })).json(), { code: 'PLUGIN_NOT_LICENSED' });
  const [{ count }] = await app.kernel.knex('sample_notes_notes').where({ tenant_id: a.id }).count<{ count: number }[]>({ count: '*' });
  t.equal(Number(count), 1, 'the notes are kept while the add-on is revoked');

  t.equal((await app.operator('PUT', `/api/operator/tenants/notes-std/addons/${ID}`)).statusCode, 200);
  t.match(await view(), { licensed: true, enabled: true }, 're-granting restores the tenant\'s own switch');
  t.same((await notesOf(app, a.adminToken)).map((n) => n.body), ['bought and used']);
  await eventually(async () => (changes.length >= 3 ? true : undefined));
  t.same(changes, [{ pluginId: ID, enabled: true }, { pluginId: ID, enabled: false }, { pluginId: ID, enabled: true }], 'plugin.enabled / plugin.disabled follow the licence');
});

t.test('settings are validated against the manifest schema', async (t) => {
  const app = await appWith(t, [SAMPLE_NOTES]);
  const a = await app.tenant('notes-set', { edition: 'flagship' });
  const agent = await app.member('notes-set', 'agent');
  const url = `/api/plugins/${ID}/settings`;
  const defaults = { greeting: 'Hello from the team', maxNotes: 1000 };
  t.same((await app.request({ method: 'GET', url, token: a.adminToken })).json(), { settings: defaults });

  for (const [settings, field] of [
    [{ maxNotes: 0 }, 'maxNotes'],
    [{ maxNotes: 'many' }, 'maxNotes'],
    [{ greeting: 5 }, 'greeting'],
    [{ greeting: '' }, 'greeting'],
    [{ greeting: 'x'.repeat(201) }, 'greeting'],
    [{ colour: 'red' }, 'colour'],
  ] as const) {
    const res = await app.request({ method: 'PUT', url, token: a.adminToken, body: { settings } });
    t.equal(res.statusCode, 400, JSON.stringify(settings));
    t.match(res.json(), { statusCode: 400, code: 'INVALID_SETTINGS', field, message: new RegExp(`^${field}: `) });
  }
  t.same((await app.request({ method: 'GET', url, token: a.adminToken })).json(), { settings: defaults }, 'refused settings changed nothing');
  t.match((await app.request({ method: 'PUT', url, token: agent.token, body: { settings: { maxNotes: 5 } } })).json(), { statusCode: 403, code: 'PERMISSION_DENIED' });
  t.match((await app.request({ method: 'PUT', url: '/api/plugins/nope/settings', token: a.adminToken, body: { settings: {} } })).json(), { statusCode: 404, code: 'PLUGIN_NOT_FOUND' });

  const saved = await app.request({ method: 'PUT', url, token: a.adminToken, body: { settings: { greeting: '<img src=x onerror=alert(1)>', maxNotes: 3 } } });
  t.same(saved.json(), { settings: { greeting: '<img src=x onerror=alert(1)>', maxNotes: 3 } });
  t.same((await app.request({ method: 'GET', url: '/api/sample-notes/public/notes-set/greeting' })).json(), { greeting: '<img src=x onerror=alert(1)>' }, 'served as JSON text');

  // The welcome notes of the admin and the agent take two of the three places.
  await eventually(async () => ((await welcomeNotes(app, a.id)) === 2 ? true : undefined));
  t.equal((await app.request({ method: 'POST', url: '/api/sample-notes/notes', token: a.adminToken, body: { body: 'second' } })).statusCode, 201);
  t.match((await app.request({ method: 'POST', url: '/api/sample-notes/notes', token: a.adminToken, body: { body: 'third' } })).json(), { statusCode: 409, code: 'NOTE_LIMIT_REACHED' });
});
