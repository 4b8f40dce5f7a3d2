/**
 * The widget's plugin extension point: GET /api/visitor/ui/:tenant lists the widget modules of the
 * plugins a tenant has enabled, /widget/plugins/<id>.js serves them, and in a real browser a
 * visitor of the real widget sends a custom emoji from the custom-emoji plugin's picker to an agent
 * (a socket.io client) and sees the agent's. A disabled plugin leaves no trace; a broken plugin
 * module does not break the chat.
 */
import t from 'tap';
import type { Page, Request } from 'playwright-core';
import { world, next, until, clientId } from '../../plugins/conversations/test/helpers.ts';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { uploadPack } from '../../plugins/custom-emoji/test/http-helpers.ts';
import { buildZip, png } from '../../plugins/custom-emoji/test/fixtures.ts';
import { LOADER_CACHE } from '../../core/http/static-widget.ts';
import { ensureWidgetBuilt } from './build-widget.ts';
import { startHostPage } from './host-server.ts';

await ensureWidgetBuilt();
const w = await world(t);
const emo = await w.app.tenant('emo', { edition: 'flagship' });
await w.app.tenant('plain', { edition: 'standard' });
const EMOJI = { plugins: [{ id: 'custom-emoji', url: '/widget/plugins/custom-emoji.js' }] };

const listing = async (slug: string) => w.req('GET', `/api/visitor/ui/${slug}`);
const setPlugin = async (on: boolean) => {
  const res = await w.req('POST', `/api/plugins/custom-emoji/${on ? 'enable' : 'disable'}`, emo.adminToken);
  if (res.status !== 200) throw new Error(`toggling custom-emoji failed: ${res.body}`);
};

t.test('the listing names only enabled plugins that have a built widget module', async (t) => {
  t.same((await listing('emo')).json, EMOJI, 'flagship includes custom emoji, enabled by default');
  t.same((await listing('plain')).json, { plugins: [] }, 'standard without the add-on: nothing');

  await setPlugin(false);
  t.same((await listing('emo')).json, { plugins: [] }, 'disabled: not listed');
  await setPlugin(true);
  t.same((await listing('emo')).json, EMOJI, 'enabled again: listed');

  const unknown = await listing('nobody-here');
  t.equal(unknown.status, 404);
  t.equal(unknown.json.code, 'TENANT_NOT_FOUND');

  const cors = await w.app.http.inject({ method: 'GET', url: '/api/visitor/ui/emo', headers: { origin: 'https://shop.example' } });
  t.equal(cors.headers['access-control-allow-origin'], '*', 'callable from the host page');
  const preflight = await w.app.http.inject({ method: 'OPTIONS', url: '/api/visitor/ui/emo', headers: { origin: 'https://shop.example', 'access-control-request-method': 'GET' } });
  t.equal(preflight.statusCode, 204);
});

t.test('the plugin module is served like the loader: short cache, ETag, CORS', async (t) => {
  const res = await w.app.http.inject({ method: 'GET', url: '/widget/plugins/custom-emoji.js' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/javascript/);
  t.equal(res.headers['cache-control'], LOADER_CACHE);
  t.equal(res.headers['access-control-allow-origin'], '*');
  t.match(res.body, /export\s*\{[^}]*register/, 'an ES module exporting register');
  t.notMatch(res.body, /\bimport\s*[\s{*"'(]/, 'self-contained: imports nothing');
  const etag = String(res.headers.etag);
  t.equal((await w.app.http.inject({ method: 'GET', url: '/widget/plugins/custom-emoji.js', headers: { 'if-none-match': etag } })).statusCode, 304);

  for (const url of ['/widget/plugins/nothing.js', '/widget/plugins/..%2Fwidget.js', '/widget/plugins/custom-emoji.ts', '/widget/plugins/.js']) {
    const bad = await w.app.http.inject({ method: 'GET', url });
    t.equal(bad.statusCode, 404, url);
    t.equal(bad.json().code, 'WIDGET_FILE_NOT_FOUND', url);
  }
});

t.test('in a real browser', async (t) => {
  const host = await startHostPage(t, w.url);
  const browser = await launchBrowser(t);
  const zip = buildZip([
    { name: 'smile.png', data: await png(200, 200, 1) },
    { name: 'wave.png', data: await png(200, 200, 2) },
  ]);
  const uploaded = await uploadPack(w.app, emo.adminToken, zip, { name: 'Faces' });
  t.equal(uploaded.statusCode, 201, uploaded.body);
  const pack = uploaded.json().pack as { id: string; emoji: Array<{ id: string; name: string }> };
  const alice = await w.agent('emo', { capacity: 10 });

  const openWidget = async (page: Page) => {
    await page.goto(host.url({ tenant: 'emo' }));
    await page.getByTestId('parley-launcher').click();
    await page.getByTestId('parley-panel').waitFor();
    await page.getByTestId('parley-status').filter({ hasNotText: 'Connecting' }).waitFor();
  };
  const imageLoaded = (page: Page, selector: string) =>
    until(() => page.locator(selector).last().evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0).catch(() => false), 15_000);

  await t.test('a visitor picks a custom emoji in the widget; the agent receives it, and answers with one', async (t) => {
    const { page, context, errors } = await newPage(browser, { width: 480, height: 720 });
    t.teardown(() => context.close());
    await openWidget(page);

    const session = next(alice.socket, 'conv:session', (s: any) => s.state === 'active', 15_000);
    const atAlice = next(alice.socket, 'conv:message', (m: any) => m.type === 'custom-emoji', 15_000);
    await page.getByTestId('parley-tool-custom-emoji-picker').click();
    await page.getByTestId('custom-emoji-picker').waitFor();
    await imageLoaded(page, '[data-testid="custom-emoji-pick"] img');
    await screenshot(page, 'widget-plugin-picker');
    await page.locator('[data-testid="custom-emoji-pick"][data-name="wave"]').click();

    const received = await atAlice;
    t.match(received, { sender: { kind: 'visitor' }, type: 'custom-emoji', body: { packId: pack.id, name: 'wave' } }, 'the agent receives the emoji');
    t.ok(received.clientMsgId, 'sent through the widget\'s send path, with a client message id');
    await page.locator('[data-testid="parley-message-visitor"][data-state="sent"] img[data-testid="custom-emoji-message"][data-name="wave"]').waitFor();
    t.equal(await page.getByTestId('custom-emoji-picker').count(), 0, 'the picker closes after sending');

    const s = await session;
    const smile = pack.emoji.find((e) => e.name === 'smile')!;
    const answer = await w.req('POST', `/api/conversations/sessions/${s.id}/messages`, alice.token, { clientMsgId: clientId(), type: 'custom-emoji', body: { packId: pack.id, emojiId: smile.id } });
    t.equal(answer.status, 200, answer.body);
    const atVisitor = '[data-testid="parley-message-agent"] img[data-testid="custom-emoji-message"][data-name="smile"]';
    await page.locator(atVisitor).waitFor();
    await imageLoaded(page, atVisitor);
    await imageLoaded(page, '[data-testid="parley-message-visitor"] img[data-testid="custom-emoji-message"]');
    await screenshot(page, 'widget-plugin-exchange');

    await page.reload(); // the widget reopens itself (it was open)
    await page.locator(atVisitor).waitFor();
    t.pass('after a reload, the history shows the emoji (drawn once the plugin has loaded)');
    t.same(errors, [], 'no script errors');
  });

  await t.test('a disabled plugin leaves no trace in the widget', async (t) => {
    await setPlugin(false);
    t.teardown(() => setPlugin(true));
    const { page, context, errors } = await newPage(browser);
    t.teardown(() => context.close());
    const pluginRequests: string[] = [];
    page.on('request', (r: Request) => {
      if (r.url().includes('/widget/plugins/')) pluginRequests.push(r.url());
    });
    await openWidget(page);
    await page.getByTestId('parley-input').fill('Hello without emoji');
    await page.getByTestId('parley-input').press('Enter');
    await page.locator('[data-testid=parley-message-visitor][data-state=sent]').last().waitFor();
    t.equal(await page.locator('[data-testid^="parley-tool-"]').count(), 0, 'no plugin button');
    t.same(pluginRequests, [], 'no plugin module requested');
    t.same(errors, []);
  });

  await t.test('a plugin module that throws does not break the chat', async (t) => {
    const { page, context, errors } = await newPage(browser);
    t.teardown(() => context.close());
    const warnings: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'warning') warnings.push(msg.text());
    });
    await page.route('**/widget/plugins/custom-emoji.js', (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript', headers: { 'access-control-allow-origin': '*' }, body: 'export function register() { throw new Error("boom"); }' }));
    await openWidget(page);
    await until(() => warnings.some((m) => m.includes('custom-emoji')), 15_000);
    const atAlice = next(alice.socket, 'conv:message', (m: any) => m.type === 'text' && m.body.text === 'Still chatting', 15_000);
    await page.getByTestId('parley-input').fill('Still chatting');
    await page.getByTestId('parley-input').press('Enter');
    await atAlice;
    t.equal(await page.locator('[data-testid^="parley-tool-"]').count(), 0, 'the broken plugin added nothing');
    t.same(errors, [], 'no uncaught errors');
  });
});
