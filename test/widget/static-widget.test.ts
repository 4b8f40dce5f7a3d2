import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import t from 'tap';
import Fastify from 'fastify';
import { createTestApp } from '../helpers/app.ts';
import { errorHandler } from '../../core/http/errors.ts';
import { HASHED_CACHE, LOADER_CACHE, staticWidget } from '../../core/http/static-widget.ts';
import { ensureWidgetBuilt } from './build-widget.ts';

const built = await ensureWidgetBuilt();
const chatName = path.basename(built.chat[0]!);

t.test('the loader is served by a stable URL with a short cache, revalidated by ETag, gzipped on request', async (t) => {
  const app = await createTestApp(t);
  const res = await app.request({ method: 'GET', url: '/widget.js' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/javascript/);
  t.equal(res.headers['cache-control'], LOADER_CACHE);
  t.equal(res.headers['access-control-allow-origin'], '*');
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.equal(res.body, fs.readFileSync(built.loader, 'utf8'));

  const again = await app.request({ method: 'GET', url: '/widget.js', headers: { 'if-none-match': String(res.headers.etag) } });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');

  const gz = await app.request({ method: 'GET', url: '/widget.js', headers: { 'accept-encoding': 'gzip, br' } });
  t.equal(gz.headers['content-encoding'], 'gzip');
  t.equal(zlib.gunzipSync(gz.rawPayload).toString('utf8'), res.body);
});

t.test('chat bundles are immutable; nothing else in the folder or outside it is served', async (t) => {
  const app = await createTestApp(t);
  const res = await app.request({ method: 'GET', url: `/widget/${chatName}` });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['cache-control'], HASHED_CACHE);
  t.equal(res.headers['access-control-allow-origin'], '*', 'the loader imports it as a module from other origins');
  for (const url of ['/widget/widget.js', '/widget/chat-nope.js', '/widget/..%2f..%2fpackage.json', '/widget/chat-..%2f..%2fpackage.json', '/widget/.widget-build.lock']) {
    const bad = await app.request({ method: 'GET', url });
    t.equal(bad.statusCode, 404, url);
    t.equal(bad.json().code, 'WIDGET_FILE_NOT_FOUND', url);
  }
});

t.test('without a build the loader answers a clear error', async (t) => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-widget-'));
  t.teardown(() => fs.rmSync(empty, { recursive: true, force: true }));
  const app = Fastify();
  app.setErrorHandler(errorHandler);
  await app.register(staticWidget(empty));
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/widget.js' });
  t.equal(res.statusCode, 404);
  t.match(res.json(), { statusCode: 404, code: 'WIDGET_NOT_BUILT', message: /npm run build/ });
});

t.test('the loader is self-contained and small; socket.io lives only in the chat bundle', async (t) => {
  const loader = fs.readFileSync(built.loader, 'utf8');
  const chat = built.chat.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  t.ok(loader.startsWith('(function(){"use strict";'), 'wrapped, so it declares no globals');
  t.notMatch(loader, /(?:^|[;{}])\s*(?:import\s*[{*"']|export\s*[{*]|export\s+(?:default|const|let|function|class)\b)/, 'no static import or export: it is a classic script');
  t.match(loader, `/widget/\${`, 'imports the chat from the server it came from');
  t.ok(loader.includes(chatName), 'knows the hashed name of the chat bundle');
  t.notMatch(loader, /engine\.io|socket\.io|transports/i, 'no socket.io in the loader');
  t.match(chat, /engine\.io|transports/, 'socket.io is in the chat bundle');
  t.notMatch(chat, /innerHTML|insertAdjacentHTML|outerHTML/, 'the chat never writes HTML');
});

t.test('visitor routes answer CORS preflights and requests; member routes do not', async (t) => {
  const app = await createTestApp(t);
  await app.tenant('acme');
  const origin = 'https://shop.example';
  const preflight = await app.request({ method: 'OPTIONS', url: '/api/visitor/session', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
  t.equal(preflight.statusCode, 204);
  t.equal(preflight.headers['access-control-allow-origin'], '*');
  t.match(preflight.headers['access-control-allow-methods'], /POST/);
  t.match(preflight.headers['access-control-allow-headers'], /authorization/);
  t.notOk(preflight.headers['access-control-allow-credentials'], 'never with credentials');

  const me = await app.request({ method: 'OPTIONS', url: '/api/visitor/me', headers: { origin, 'access-control-request-method': 'GET' } });
  t.equal(me.statusCode, 204, 'a @visitor route');

  const post = await app.request({ method: 'POST', url: '/api/visitor/session', body: { tenant: 'acme' }, headers: { origin } });
  t.equal(post.statusCode, 200);
  t.equal(post.headers['access-control-allow-origin'], '*');
  const refused = await app.request({ method: 'GET', url: '/api/visitor/me', headers: { origin } });
  t.equal(refused.statusCode, 401);
  t.equal(refused.headers['access-control-allow-origin'], '*', 'errors are readable by the widget too');

  const members = await app.request({ method: 'OPTIONS', url: '/api/members', headers: { origin, 'access-control-request-method': 'GET' } });
  t.equal(members.statusCode, 404);
  t.equal(members.json().code, 'CORS_NOT_ALLOWED');
  t.notOk(members.headers['access-control-allow-methods']);
  const list = await app.request({ method: 'GET', url: '/api/members', headers: { origin } });
  t.notOk(list.headers['access-control-allow-origin'], 'member routes are same-origin only');
  const wrongMethod = await app.request({ method: 'OPTIONS', url: '/api/visitor/session', headers: { origin, 'access-control-request-method': 'DELETE' } });
  t.equal(wrongMethod.statusCode, 404);
});
