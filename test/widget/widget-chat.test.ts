/**
 * The widget in a real browser, on a host page served from another origin with hostile CSS:
 * a visitor chats with an agent (text and images both ways), notifications while the window is
 * closed, a transfer, a reconnect that loses nothing, a reload that shows the history, the session
 * closing; what happened to the session while the visitor was offline; then the phone layout and
 * the Chinese UI. The agent side is a socket.io client on
 * /agent (the console's chat pane is tested by the console's own tests).
 */
import t from 'tap';
import sharp from 'sharp';
import type { Page, Request } from 'playwright-core';
import { world, emit, next, until, clientId } from '../../plugins/conversations/test/helpers.ts';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { hmac } from '../../core/auth/secrets.ts';
import { ensureWidgetBuilt } from './build-widget.ts';
import { startHostPage } from './host-server.ts';

await ensureWidgetBuilt();
const w = await world(t);
await w.app.tenant('acme');
const host = await startHostPage(t, w.url);
const browser = await launchBrowser(t);

const png = (r: number, g: number, b: number) =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g, b } } }).png().toBuffer();

/** Host page events recorded by the fixture (`window.__events`). */
const events = (page: Page) => page.evaluate(() => (window as unknown as { __events: Array<{ name: string; data: any }> }).__events);

/** The texts of the visitor-visible message rows, in order. */
const texts = (page: Page) => page.getByTestId('parley-log').locator('.bubble').allTextContents();

async function agentUpload(token: string, sessionId: string, data: Buffer, filename: string) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)], { type: 'image/png' }), filename);
  const res = await fetch(`${w.url}/api/conversations/sessions/${sessionId}/attachments`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  if (res.status !== 201) throw new Error(`agent upload failed: ${await res.text()}`);
  return (await res.json()) as { fileId: string };
}

t.test('a visitor chats with an agent through the widget, on a hostile host page', async (t) => {
  const alice = await w.agent('acme');
  const bob = await w.agent('acme', { status: 'busy' }); // takes transfers, gets no automatic assignment
  const { page, context, errors } = await newPage(browser);
  // Counts the notification tones in an attribute (a global would fail the no-globals check).
  await page.addInitScript(() => {
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args: Parameters<typeof start>) {
      const root = document.documentElement;
      root.dataset.tones = String(Number(root.dataset.tones ?? 0) + 1);
      return start.apply(this, args);
    };
  });
  const chatRequests: string[] = [];
  page.on('request', (r: Request) => {
    if (r.url().includes('/widget/chat-')) chatRequests.push(r.url());
  });

  await page.goto(host.url());
  const launcher = page.getByTestId('parley-launcher');
  await launcher.waitFor();
  await until(async () => (await events(page)).some((e) => e.name === 'ready'));

  await t.test('the host page CSS does not reach the widget', async (t) => {
    const look = await launcher.evaluate((el) => {
      const s = getComputedStyle(el);
      const host = getComputedStyle((el.getRootNode() as ShadowRoot).host);
      const box = el.getBoundingClientRect();
      return { display: s.display, background: s.backgroundColor, visibility: s.visibility, width: box.width, right: innerWidth - box.right, bottom: innerHeight - box.bottom, hostDisplay: host.display, hostOpacity: host.opacity };
    });
    t.same(look, { display: 'flex', background: 'rgb(37, 99, 235)', visibility: 'visible', width: 56, right: 20, bottom: 20, hostDisplay: 'block', hostOpacity: '1' });
    t.same(chatRequests, [], 'the chat bundle is not loaded before the visitor opens the chat');
  });

  await launcher.click();
  const panel = page.getByTestId('parley-panel');
  await panel.waitFor();
  t.equal(chatRequests.length, 1, 'opening loads the chat bundle once');
  await page.getByTestId('parley-status').filter({ hasNotText: 'Connecting' }).waitFor();

  const session = next(alice.socket, 'conv:session', (s: any) => s.state === 'active', 15_000);
  const atAlice = next(alice.socket, 'conv:message', (m: any) => m.sender.kind === 'visitor' && m.type === 'text', 15_000);
  await page.getByTestId('parley-input').fill('Hello from the widget');
  await page.getByTestId('parley-input').press('Enter');
  const first = await atAlice;
  const s = await session;
  t.equal(first.body.text, 'Hello from the widget', 'the agent receives the visitor text');
  await page.getByTestId('parley-session-code').filter({ hasText: s.code }).waitFor();
  await page.locator('[data-testid=parley-message-visitor][data-state=sent]').first().waitFor();

  const imageAtAlice = next(alice.socket, 'conv:message', (m: any) => m.type === 'image', 15_000);
  const visitorPng = await png(220, 30, 30);
  await page.getByTestId('parley-file-input').setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: visitorPng });
  const image = await imageAtAlice;
  t.match(image.body, { filename: 'red.png', contentType: 'image/png', size: visitorPng.length });
  const fetched = await fetch(`${w.url}/api/conversations/files/${image.body.fileId}`, { headers: { authorization: `Bearer ${alice.token}` } });
  t.same(Buffer.from(await fetched.arrayBuffer()), visitorPng, 'the agent gets the very bytes of the image');

  const fileAtAlice = next(alice.socket, 'conv:message', (m: any) => m.type === 'file', 15_000);
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
  await page.getByTestId('parley-file-input').setInputFiles({ name: 'order 1234.pdf', mimeType: 'application/pdf', buffer: pdf });
  t.match((await fileAtAlice).body, { filename: 'order 1234.pdf', contentType: 'application/pdf', size: pdf.length }, 'a file arrives as a file message');
  await page.getByTestId('parley-message-visitor').getByTestId('parley-file').filter({ hasText: 'order 1234.pdf' }).waitFor();

  t.ok((await emit(alice.socket, 'conv:typing', { sessionId: s.id, typing: true })).ok);
  await page.getByTestId('parley-status').filter({ hasText: 'is typing' }).waitFor();
  t.ok((await emit(alice.socket, 'conv:typing', { sessionId: s.id, typing: false })).ok);
  await page.getByTestId('parley-status').filter({ hasText: 'You are chatting with' }).waitFor();

  const hostile = 'Hi! <img src=x onerror="window.__xss=1"><b>bold</b> see https://example.com/help. javascript:alert(1)';
  t.ok((await emit(alice.socket, 'conv:send', { sessionId: s.id, clientMsgId: clientId(), type: 'text', body: { text: hostile } })).ok);
  const reply = page.getByTestId('parley-message-agent').filter({ hasText: 'see https://example.com/help' });
  await reply.waitFor();
  t.equal(await reply.locator('.bubble').textContent(), hostile, 'agent text is shown as text');
  t.equal(await reply.locator('img, b').count(), 0, 'no markup from the message');
  const link = reply.locator('a');
  t.equal(await link.count(), 1, 'only the http(s) URL becomes a link');
  t.same(await link.evaluate((a: HTMLAnchorElement) => ({ href: a.href, target: a.target, rel: a.rel, text: a.textContent })), {
    href: 'https://example.com/help', target: '_blank', rel: 'noopener noreferrer nofollow', text: 'https://example.com/help',
  });
  t.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
  t.equal(await reply.locator('.bubble').evaluate((el) => getComputedStyle(el).color), 'rgb(17, 24, 39)', 'host colours do not leak in');

  const agentPng = await png(30, 90, 220);
  const uploaded = await agentUpload(alice.token, s.id, agentPng, 'blue.png');
  t.ok((await emit(alice.socket, 'conv:send', { sessionId: s.id, clientMsgId: clientId(), type: 'image', body: { fileId: uploaded.fileId } })).ok);
  const agentImage = page.getByTestId('parley-message-agent').getByTestId('parley-image');
  await until(() => agentImage.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 64), 10_000);
  const visitorImage = page.getByTestId('parley-message-visitor').getByTestId('parley-image');
  t.equal(await visitorImage.evaluate((img: HTMLImageElement) => img.naturalWidth), 64, 'the visitor sees the image sent');
  await screenshot(page, 'widget-desktop-chat');

  await t.test('while the window is closed, new messages ring, badge the launcher and retitle the tab', async (t) => {
    await page.getByTestId('parley-close').click();
    await panel.waitFor({ state: 'hidden' });
    t.ok((await emit(alice.socket, 'conv:send', { sessionId: s.id, clientMsgId: clientId(), type: 'text', body: { text: 'Are you still there?' } })).ok);
    const badge = page.getByTestId('parley-badge');
    await badge.filter({ hasText: '1' }).waitFor();
    await until(async () => (await page.title()) === 'New message', 5000);
    t.equal(await page.evaluate(() => document.documentElement.dataset.tones), '1', 'one tone');
    await screenshot(page, 'widget-desktop-badge');
    await launcher.click();
    await panel.waitFor();
    await badge.waitFor({ state: 'hidden' });
    await until(async () => (await page.title()) === 'Acme Shop', 5000);
    t.pass('opening clears the badge and gives the title back');
    t.same((await events(page)).filter((e) => e.name === 'open' || e.name === 'close').map((e) => e.name), ['open', 'close', 'open'], 'open and close events');
  });

  await t.test('the agent transfers the session', async (t) => {
    const res = await w.req('POST', `/api/conversations/sessions/${s.id}/transfer`, alice.token, { toAgentId: bob.id });
    t.equal(res.status, 200, 'transferred');
    const bobName = res.json.agent.name;
    await page.getByTestId('parley-system').filter({ hasText: `You were transferred to ${bobName}` }).waitFor();
    await page.getByTestId('parley-status').filter({ hasText: `You are chatting with ${bobName}` }).waitFor();
  });

  await t.test('another tab of the site hears replies without the visitor opening the chat there', async (t) => {
    const other = await context.newPage();
    await other.goto(host.url());
    await until(async () => (await events(other)).some((e) => e.name === 'ready'));
    t.ok(await other.getByTestId('parley-panel').isHidden(), 'the window stays closed');
    await other.getByTestId('parley-status').waitFor({ state: 'attached' }); // the chat loaded for the conversation in progress
    await until(async () => !(await other.getByTestId('parley-status').textContent())?.includes('Connecting'));
    // The first tab may not have reported its reading yet (it batches), so this one can start at 1.
    const badge = other.getByTestId('parley-badge');
    const before = (await badge.isVisible()) ? Number(await badge.textContent()) : 0;
    t.ok((await emit(bob.socket, 'conv:send', { sessionId: s.id, clientMsgId: clientId(), type: 'text', body: { text: 'Seen in the other tab?' } })).ok);
    await badge.filter({ hasText: String(before + 1) }).waitFor();
    await other.close();
  });

  await t.test('a reconnect shows what arrived meanwhile, once and in order', async (t) => {
    await context.setOffline(true);
    w.app.kernel.realtime.namespace('visitor').disconnectSockets(true);
    await page.getByTestId('parley-banner').filter({ hasText: 'reconnecting' }).waitFor();
    for (const text of ['Missed one', 'Missed two', 'Missed three']) {
      t.ok((await emit(bob.socket, 'conv:send', { sessionId: s.id, clientMsgId: clientId(), type: 'text', body: { text } })).ok);
    }
    await context.setOffline(false);
    await page.getByTestId('parley-banner').waitFor({ state: 'hidden', timeout: 20_000 });
    await page.getByTestId('parley-message-agent').filter({ hasText: 'Missed three' }).waitFor();
    const shown = await texts(page);
    t.same(shown.filter((x) => x.startsWith('Missed')), ['Missed one', 'Missed two', 'Missed three']);
    const seqs = await page.locator('[data-seq]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))).filter((n) => n > 0));
    t.same(seqs, [...new Set(seqs)].sort((a, b) => a - b), 'every message once, in seq order');
  });

  let beforeReload: string[] = [];
  await t.test('a reload shows the history and keeps the window open', async (t) => {
    beforeReload = await texts(page);
    await page.reload();
    await page.getByTestId('parley-panel').waitFor();
    await page.getByTestId('parley-message-agent').filter({ hasText: 'Missed three' }).waitFor();
    t.same(await texts(page), beforeReload, 'the same messages, in the same order');
    await until(() => page.getByTestId('parley-image').evaluateAll((imgs) => imgs.length === 2 && imgs.every((i) => (i as HTMLImageElement).naturalWidth === 64)), 10_000);
    t.pass('both images load again from the server');
    t.same((await events(page)).filter((e) => e.name === 'message'), [], 'history is not replayed as message events');
  });

  await t.test('a message the server refuses is marked with a retry button and rejects sendText', async (t) => {
    const refused = await page.evaluate(() => (window as unknown as { Parley: { sendText(t: string): Promise<void> } }).Parley.sendText('x'.repeat(6000)).then(() => 'sent', (e: Error) => e.message));
    t.match(refused, /5000/, 'the server\'s reason');
    const failed = page.locator('[data-testid=parley-message-visitor][data-state=failed]');
    await failed.waitFor();
    t.equal(await failed.locator('.meta').textContent(), 'Not sent. Tap to retry.');
  });

  await t.test('the visitor writes again, the agent closes, sessionClosed fires', async (t) => {
    const atBob = next(bob.socket, 'conv:message', (m: any) => m.sender.kind === 'visitor', 15_000);
    await page.evaluate(() => (window as unknown as { Parley: { sendText(t: string): Promise<void> } }).Parley.sendText('Sent through the JS API'));
    t.equal((await atBob).body.text, 'Sent through the JS API');
    const res = await w.req('POST', `/api/conversations/sessions/${s.id}/close`, bob.token);
    t.equal(res.status, 200, 'closed');
    await page.getByTestId('parley-ended').filter({ hasText: s.code }).waitFor();
    await until(async () => (await events(page)).some((e) => e.name === 'sessionClosed'));
    const recorded = await events(page);
    t.match(recorded.find((e) => e.name === 'sessionClosed')!.data, { sessionId: s.id, code: s.code, state: 'closed' });
    t.ok(recorded.some((e) => e.name === 'message' && e.data.text === 'Sent through the JS API' && e.data.from === 'visitor'), 'message events reach the page');
    t.ok(recorded.some((e) => e.name === 'message' && e.data.from === 'system'), 'system messages too');
    await screenshot(page, 'widget-desktop-closed');
  });

  await t.test('the widget adds no global but window.Parley', async (t) => {
    const added = await page.evaluate(() => {
      const before = new Set((window as unknown as { __globalsBefore: string[] }).__globalsBefore);
      return Object.getOwnPropertyNames(window).filter((n) => !before.has(n)).sort();
    });
    t.same(added, ['Parley', 'ParleySettings', '__events', '__globalsBefore'], 'only the page\'s own names and Parley');
  });
  t.same(errors, [], 'no errors on the page');
});

t.test('a send a busy server refuses (OVERLOADED) is tried again after a pause, and stored once', async (t) => {
  const { page, context, errors } = await newPage(browser);
  t.teardown(() => context.close());
  // The first acknowledgement of this text is turned into the refusal an overloaded server sends.
  // The widget starts on long-polling: the send must wait for the upgrade to this WebSocket.
  let refused = 0;
  let upgraded = false;
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((msg) => {
      if (msg === '5') upgraded = true;
      server.send(msg);
    });
    server.onMessage((msg) => {
      const ack = typeof msg === 'string' ? /^43\/visitor,(\d+)\[/.exec(msg) : null;
      if (ack && refused === 0 && msg.includes('Busy hour')) {
        refused++;
        ws.send(`43/visitor,${ack[1]}[{"ok":false,"error":{"statusCode":503,"code":"OVERLOADED","message":"The server is busy; try again shortly."}}]`);
        return;
      }
      ws.send(msg);
    });
  });
  await page.goto(host.url());
  await page.getByTestId('parley-launcher').click();
  await page.getByTestId('parley-status').filter({ hasNotText: 'Connecting' }).waitFor();
  await until(() => upgraded);
  const outcome = await page.evaluate(() => (window as unknown as { Parley: { sendText(t: string): Promise<void> } }).Parley.sendText('Busy hour').then(() => 'sent', (e: Error) => e.message));
  t.equal(refused, 1, 'the first answer was a refusal');
  t.equal(outcome, 'sent', 'the widget tried again by itself');
  await page.locator('[data-testid=parley-message-visitor]', { hasText: 'Busy hour' }).waitFor();
  t.equal(await page.locator('[data-testid=parley-message-visitor][data-state=failed]').count(), 0, 'nothing is marked failed');
  const stored = await w.app.db.knex('conversations_messages').whereRaw("body->>'text' = ?", ['Busy hour']).count<{ n: string }[]>('* as n');
  t.equal(Number(stored[0]!.n), 1, 'stored once: the retry carried the same client id');
  t.same(errors, [], 'no errors on the page');
});

t.test('what happened to the session while the visitor was offline shows after the reconnect', async (t) => {
  await w.app.tenant('away');
  const agent = await w.agent('away', { status: 'busy' }); // no automatic assignment: the session waits in the queue
  const { page, context, errors } = await newPage(browser);
  t.teardown(() => context.close());
  await page.goto(host.url({ tenant: 'away' }));
  await page.getByTestId('parley-launcher').click();
  await page.getByTestId('parley-status').filter({ hasNotText: 'Connecting' }).waitFor();
  await page.getByTestId('parley-input').fill('Is anyone there?');
  await page.getByTestId('parley-input').press('Enter');
  await page.locator('[data-testid=parley-message-visitor][data-state=sent]').waitFor();
  const { sessions } = (await w.req('GET', '/api/conversations/queue', agent.token)).json;
  t.equal(sessions.length, 1, 'the session waits in the queue');
  const sessionId = sessions[0].id as string;
  await page.getByTestId('parley-status').filter({ hasText: 'Waiting for an agent' }).waitFor();

  const offline = async () => {
    await context.setOffline(true);
    w.app.kernel.realtime.namespace('visitor').disconnectSockets(true);
    await page.getByTestId('parley-banner').filter({ hasText: 'reconnecting' }).waitFor();
  };
  const online = async () => {
    await context.setOffline(false);
    await page.getByTestId('parley-banner').waitFor({ state: 'hidden', timeout: 20_000 });
  };

  await offline();
  t.equal((await w.req('POST', `/api/conversations/queue/${sessionId}/pick`, agent.token)).status, 200, 'an agent takes the session meanwhile');
  await online();
  await page.getByTestId('parley-status').filter({ hasText: 'You are chatting with' }).waitFor({ timeout: 10_000 });
  t.pass('the header says an agent has the session');
  await screenshot(page, 'widget-reconnected-taken');

  await offline();
  t.equal((await w.req('POST', `/api/conversations/sessions/${sessionId}/close`, agent.token)).status, 200, 'the agent closes it meanwhile');
  await online();
  await page.getByTestId('parley-ended').waitFor();
  await until(async () => (await events(page)).some((e) => e.name === 'sessionClosed'));
  t.pass('the widget shows the session ended, and sessionClosed fires');
  await screenshot(page, 'widget-reconnected-closed');
  t.same(errors, [], 'no errors on the page');
});

t.test('on a phone the chat fills the screen', async (t) => {
  const { page, errors } = await newPage(browser, { width: 375, height: 667 });
  await page.goto(host.url({ attrs: { title: 'Acme help', color: '#0f766e', greeting: 'Hi! Ask us anything.' } }));
  await page.getByTestId('parley-launcher').click();
  const panel = page.getByTestId('parley-panel');
  await panel.waitFor();
  await page.getByTestId('parley-greeting').waitFor();
  const box = await panel.boundingBox();
  t.same(box, { x: 0, y: 0, width: 375, height: 667 });
  t.ok(await page.getByTestId('parley-launcher').isHidden(), 'the launcher steps aside; the panel has a close button');
  t.equal(await page.locator('parley-widget .head').evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(15, 118, 110)', 'data-color is used');
  await page.getByTestId('parley-input').fill('Hello from a phone');
  await page.getByTestId('parley-send').click();
  await page.locator('[data-testid=parley-message-visitor][data-state=sent]').waitFor();
  await screenshot(page, 'widget-phone-chat');
  await page.getByTestId('parley-close').click();
  await panel.waitFor({ state: 'hidden' });
  await page.getByTestId('parley-launcher').waitFor();
  t.same(errors, []);
});

t.test('Chinese visitors get the Chinese widget, and the pre-chat form when the site asks for it', async (t) => {
  const { page, errors } = await newPage(browser, { locale: 'zh-CN' });
  await page.goto(host.url({ settings: { preChat: 'required' } }));
  const launcher = page.getByTestId('parley-launcher');
  await until(async () => (await launcher.getAttribute('aria-label')) !== null);
  t.equal(await launcher.getAttribute('aria-label'), '打开在线咨询');
  await launcher.click();
  const form = page.getByTestId('parley-prechat');
  await form.waitFor();
  t.equal(await page.locator('parley-widget .title').textContent(), '在线咨询', 'the translated title, as the tenant kept the default one');
  await page.getByTestId('parley-prechat-start').click();
  await form.getByText('此项必填。').waitFor();
  await page.getByTestId('parley-prechat-name').fill('王小明');
  await page.getByTestId('parley-prechat-email').fill('not-an-email');
  await page.getByTestId('parley-prechat-start').click();
  await form.getByText('请输入有效的邮箱地址。').waitFor();
  await page.getByTestId('parley-prechat-email').fill('xiaoming@example.cn');
  await screenshot(page, 'widget-zh-prechat');
  await page.getByTestId('parley-prechat-start').click();
  await form.waitFor({ state: 'hidden' });
  t.equal(await page.getByTestId('parley-input').getAttribute('placeholder'), '请输入消息…');
  await page.getByTestId('parley-input').fill('你好');
  await page.getByTestId('parley-input').press('Enter');
  await page.locator('[data-testid=parley-message-visitor][data-state=sent]').waitFor();
  const admin = await w.app.member('acme', 'admin');
  const sessions = await w.req('GET', `/api/conversations/sessions?visitorName=${encodeURIComponent('王小明')}`, admin.token);
  t.equal(sessions.json.items.length, 1, 'the session carries the pre-chat name');
  t.equal(sessions.json.items[0].visitor.email, 'xiaoming@example.cn');
  t.same(errors, []);
});

t.test('identify: the site\'s signed-in user finds the same conversation on another device', async (t) => {
  const alice = await w.agent('acme');
  const tenant = await w.app.kernel.tenants.bySlug('acme');
  const signature = hmac(await w.app.kernel.auth.identitySecret(tenant.id), 'user-42');
  type Api = { Parley: { identify(i: object): Promise<void>; on(e: string, f: () => void): void; open(): void } };
  const identify = (page: Page, identity: object) => page.evaluate((i) => (window as unknown as Api).Parley.identify(i), identity);

  const laptop = await newPage(browser);
  await laptop.page.goto(host.url());
  await until(async () => (await events(laptop.page)).some((e) => e.name === 'ready'));
  await identify(laptop.page, { externalId: 'user-42', signature, name: 'Known User', email: 'known@example.com' });
  await laptop.page.getByTestId('parley-launcher').click();
  const atAlice = next(alice.socket, 'conv:message', (m: any) => m.body.text === 'I signed in on my laptop', 15_000);
  await laptop.page.getByTestId('parley-input').fill('I signed in on my laptop');
  await laptop.page.getByTestId('parley-input').press('Enter');
  const m = await atAlice;
  const session = await w.req('GET', `/api/conversations/sessions/${m.sessionId}`, alice.token);
  t.match(session.json.visitor, { name: 'Known User', email: 'known@example.com' }, 'the agent sees who the visitor is');

  const phone = await newPage(browser, { width: 375, height: 667 });
  await phone.page.goto(host.url());
  await until(async () => (await events(phone.page)).some((e) => e.name === 'ready'));
  await phone.page.getByTestId('parley-launcher').click();
  await phone.page.getByTestId('parley-status').filter({ hasNotText: 'Connecting' }).waitFor();
  t.equal(await phone.page.getByText('I signed in on my laptop').count(), 0, 'an anonymous visitor does not see it');
  const refused = await phone.page.evaluate((i) => (window as unknown as Api).Parley.identify(i).then(() => 'resolved', (e: Error) => e.message), { externalId: 'user-42', signature: 'forged' });
  t.match(refused, /signature/i, 'a forged signature is refused');
  await identify(phone.page, { externalId: 'user-42', signature });
  await phone.page.getByTestId('parley-message-visitor').filter({ hasText: 'I signed in on my laptop' }).waitFor();
  t.pass('after identify the phone shows the conversation from the laptop');
  t.same([...laptop.errors, ...phone.errors], []);
});

t.test('a tenant Parley does not know gets no launcher, and the page an explanation', async (t) => {
  const { page, errors } = await newPage(browser);
  await page.goto(host.url({ tenant: 'no-such-tenant' }));
  await until(() => errors.some((e) => e.includes('no chat for the tenant "no-such-tenant"')), 10_000);
  t.equal(await page.locator('parley-widget').count(), 0);
  t.equal(await page.evaluate(() => typeof (window as unknown as { Parley: { open?: unknown } }).Parley.open), 'function', 'the API still exists, so site code calling it does not break');
});
