import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import { createTestApp } from '../helpers/app.ts';
import { ensureConsoleBuilt, UI_FIXTURE_PLUGINS } from '../helpers/browser.ts';
import { staticUi, safeJoin, HASHED_CACHE } from '../../core/http/static-ui.ts';
import { registerAccessGate } from '../../core/http/access.ts';
import { errorHandler } from '../../core/http/errors.ts';

// A browser, a real server and (when stale) a console build take longer than unit tests.
t.setTimeout(600_000);
ensureConsoleBuilt();

t.test('the console page, its client routes and hashed assets', async (t) => {
  const app = await createTestApp(t);
  const root = await app.request({ method: 'GET', url: '/' });
  t.equal(root.statusCode, 302);
  t.equal(root.headers.location, '/console/');
  const bare = await app.request({ method: 'GET', url: '/console' });
  t.equal(bare.headers.location, '/console/');

  const page = await app.request({ method: 'GET', url: '/console/' });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /text\/html/);
  t.equal(page.headers['cache-control'], 'no-cache');
  t.match(page.body, /<div id="app">/);

  const deep = await app.request({ method: 'GET', url: '/console/admin/members?x=1' });
  t.equal(deep.statusCode, 200, 'a client route answers the console page');
  t.equal(deep.body, page.body);

  const again = await app.request({ method: 'GET', url: '/console/', headers: { 'if-none-match': String(page.headers.etag) } });
  t.equal(again.statusCode, 304, 'revalidation by ETag');

  const script = /src="(\/ui\/console\/assets\/[^"]+\.js)"/.exec(page.body)?.[1];
  t.ok(script, 'the page loads a hashed script');
  const asset = await app.request({ method: 'GET', url: script!, headers: { 'accept-encoding': 'gzip' } });
  t.equal(asset.statusCode, 200);
  t.equal(asset.headers['cache-control'], HASHED_CACHE);
  t.match(asset.headers['content-type'], /text\/javascript/);
  t.equal(asset.headers['content-encoding'], 'gzip');

  for (const url of ['/ui/console/assets/nope.js', '/ui/console/assets/..%2findex.html', '/ui/console/assets/%2e%2e/index.html', '/ui/console/assets/.hidden']) {
    const res = await app.request({ method: 'GET', url });
    t.equal(res.statusCode, 404, `${url} is not served`);
    t.match(res.json().code, /^(UI_FILE_NOT_FOUND|NOT_FOUND)$/);
  }
});

t.test('a plugin console module is served only to members whose tenant enabled the plugin', async (t) => {
  const app = await createTestApp(t, { pluginPaths: UI_FIXTURE_PLUGINS });
  const a = await app.tenant('alpha');
  const b = await app.tenant('beta');
  const url = '/ui/plugins/ui-sample/console.js';

  const anonymous = await app.request({ method: 'GET', url });
  t.equal(anonymous.statusCode, 401);

  const disabled = await app.request({ method: 'GET', url, token: a.adminToken });
  t.equal(disabled.statusCode, 404);
  t.equal(disabled.json().code, 'PLUGIN_DISABLED');

  const boot = (await app.request({ method: 'GET', url: '/api/console/bootstrap', token: a.adminToken })).json();
  t.notOk(boot.plugins.some((p: { id: string }) => p.id === 'ui-sample'), 'a disabled plugin is not in the bootstrap');

  t.equal((await app.request({ method: 'POST', url: '/api/plugins/ui-sample/enable', token: a.adminToken })).statusCode, 200);
  const served = await app.request({ method: 'GET', url, token: a.adminToken });
  t.equal(served.statusCode, 200);
  t.match(served.body, /register/);
  t.equal(served.headers['cache-control'], 'private, no-cache');
  const booted = (await app.request({ method: 'GET', url: '/api/console/bootstrap', token: a.adminToken })).json();
  t.match(booted.plugins.find((p: { id: string }) => p.id === 'ui-sample'), { ui: url });

  const agent = await app.member('alpha', 'agent');
  t.equal((await app.request({ method: 'GET', url, token: agent.token })).statusCode, 200, 'any member of the tenant gets it');

  const otherTenant = await app.request({ method: 'GET', url, token: b.adminToken });
  t.equal(otherTenant.statusCode, 404, 'another tenant that did not enable it does not');
  t.equal(otherTenant.json().code, 'PLUGIN_DISABLED');

  for (const bad of ['/ui/plugins/ui-sample/..%2f..%2fconsole%2findex.html', '/ui/plugins/ui-sample/missing.js', '/ui/plugins/UI_SAMPLE/console.js']) {
    const res = await app.request({ method: 'GET', url: bad, token: a.adminToken });
    t.ok([400, 404].includes(res.statusCode), `${bad} answers ${res.statusCode}`);
  }
  const unknown = await app.request({ method: 'GET', url: '/ui/plugins/not-installed/console.js', token: a.adminToken });
  t.equal(unknown.json().code, 'PLUGIN_DISABLED', 'an unknown plugin looks like a disabled one');
});

t.test('without a build the console answers 503 saying how to build it', async (t) => {
  const app = await createTestApp(t);
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-no-ui-'));
  t.teardown(() => fs.rmSync(empty, { recursive: true, force: true }));
  const http = Fastify();
  http.setErrorHandler(errorHandler);
  await http.register(cookie);
  registerAccessGate(http, { auth: app.kernel.auth, tenants: app.kernel.tenants, pluginState: app.kernel.pluginState });
  await http.register(staticUi(app.kernel, empty));
  t.teardown(() => http.close());
  const res = await http.inject({ method: 'GET', url: '/console/admin' });
  t.equal(res.statusCode, 503);
  t.match(res.headers['content-type'], /text\/html/);
  t.match(res.body, /npm run build/);
  t.equal(res.headers['cache-control'], 'no-store');
});

t.test('safeJoin keeps paths inside the folder', async (t) => {
  const root = path.resolve('/srv/ui');
  t.equal(safeJoin(root, 'a/b.js'), path.join(root, 'a/b.js'));
  for (const bad of ['', '../x', 'a/../../x', 'a//b', '.env', 'a/.git/config', 'a\\..\\b', 'a\0b', 'x'.repeat(301)]) t.equal(safeJoin(root, bad), null, JSON.stringify(bad.slice(0, 20)));
});
