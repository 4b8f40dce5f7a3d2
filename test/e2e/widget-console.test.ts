/**
 * The whole product path in real browsers: a visitor on a customer's site (another origin) chats
 * through the widget with an agent in the console, both directions and an image included; the
 * agent transfers the session to a colleague, who closes it; history finds it by its session ID
 * and the CSV export contains it.
 */
import t from 'tap';
import sharp from 'sharp';
import { createTestApp } from '../helpers/app.ts';
import { ensureConsoleBuilt, launchBrowser, newPage, screenshot, signIn } from '../helpers/browser.ts';
import { ensureWidgetBuilt } from '../widget/build-widget.ts';
import { startHostPage } from '../widget/host-server.ts';

ensureConsoleBuilt();
await ensureWidgetBuilt();

t.test('visitor in the widget <-> agent in the console', async (t) => {
  t.setTimeout(600_000);
  const app = await createTestApp(t);
  const base = (await app.listen()).replace('0.0.0.0', '127.0.0.1');
  const tenant = await app.tenant('e2e');
  const alice = await app.member('e2e', 'agent', 'alice@e2e.test');
  const bob = await app.member('e2e', 'agent', 'bob@e2e.test');
  const members = (await app.request({ method: 'GET', url: '/api/members', token: tenant.adminToken })).json().items as Array<{ email: string; name: string }>;
  const bobName = members.find((m) => m.email === bob.email)!.name;
  const host = await startHostPage(t, base);
  const browser = await launchBrowser(t);

  const agentA = await newPage(browser);
  const agentB = await newPage(browser);
  const visitor = await newPage(browser, { width: 1024, height: 768 });
  t.teardown(() => Promise.all([agentA.context.close(), agentB.context.close(), visitor.context.close()]));

  await signIn(agentA.page, base, { tenant: 'e2e', email: alice.email, password: alice.password });
  await agentA.page.getByTestId('workbench').waitFor();
  await signIn(agentB.page, base, { tenant: 'e2e', email: bob.email, password: bob.password });
  await agentB.page.getByTestId('workbench').waitFor();
  // Bob is busy: he takes transfers but no new chats, so Alice gets the visitor.
  await agentB.page.getByTestId('agent-status').click();
  await agentB.page.getByTestId('agent-status-busy').click();
  await agentB.page.locator('[data-testid="agent-status"][data-status="busy"]').waitFor();

  const v = visitor.page;
  await v.goto(host.url({ tenant: 'e2e' }));
  await v.getByTestId('parley-launcher').click();
  await v.getByTestId('parley-panel').waitFor();
  await v.getByTestId('parley-input').fill('你好, I need help with order 1234');
  await v.getByTestId('parley-input').press('Enter');

  const a = agentA.page;
  const item = a.getByTestId('session-item').first();
  await item.waitFor({ timeout: 30_000 });
  const code = (await item.getAttribute('data-code'))!;
  t.match(code, /^S-\d{8}-[0-9A-Z]{6}$/, 'the session has a quotable ID');
  await item.click();
  await a.locator('[data-testid="message"][data-sender="visitor"]', { hasText: 'order 1234' }).waitFor();
  t.pass('the agent sees the visitor text');

  const red = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#d22' } }).png().toBuffer();
  await v.getByTestId('parley-file-input').setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: red });
  await a.locator('[data-testid="message"][data-type="image"] [data-testid="message-image"]').waitFor();
  t.pass('the agent sees the visitor image');

  await a.getByTestId('composer-input').fill('Hello! Let me check order 1234.');
  await a.getByTestId('composer-send').click();
  await v.getByTestId('parley-log').locator('.bubble', { hasText: 'Let me check order 1234' }).waitFor();
  t.pass('the visitor sees the agent reply');
  const blue = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#22d' } }).png().toBuffer();
  await a.getByTestId('composer-image-input').setInputFiles({ name: 'label.png', mimeType: 'image/png', buffer: blue });
  await v.getByTestId('parley-log').locator('img').last().waitFor();
  t.pass('the visitor sees the agent image');
  await screenshot(a, 'e2e-console-chat');
  await screenshot(v, 'e2e-widget-chat');

  await a.getByTestId('chat-transfer').click();
  await a.getByTestId('transfer-dialog').waitFor();
  await a.getByTestId('transfer-kind-agent').click();
  await a.locator(`[data-testid="transfer-agent"][data-name="${bobName}"]`).click();
  await a.getByTestId('transfer-submit').click();
  const b = agentB.page;
  const bItem = b.locator(`[data-testid="session-item"][data-code="${code}"]`);
  await bItem.waitFor({ timeout: 30_000 });
  t.pass('the colleague receives the transferred session');
  await bItem.click();
  await b.locator('[data-testid="message"][data-sender="visitor"]', { hasText: 'order 1234' }).waitFor();
  await b.getByTestId('composer-input').fill('I am Bob, your order ships today.');
  await b.getByTestId('composer-send').click();
  await v.getByTestId('parley-log').locator('.bubble', { hasText: 'ships today' }).waitFor();

  b.once('dialog', (d) => void d.accept()); // "End the conversation with …?"
  await b.getByTestId('chat-close').click();
  await v.waitForFunction(() => ((window as unknown as { __events?: Array<{ name: string }> }).__events ?? []).some((e) => e.name === 'sessionClosed'), undefined, { timeout: 30_000 });
  t.pass('the visitor widget reports the session closed');

  await b.getByTestId('nav-history').click();
  await b.getByTestId('page-history').waitFor();
  await b.getByTestId('history-code').fill(code);
  await b.getByTestId('history-search').click();
  await b.locator(`[data-testid="history-row"][data-code="${code}"]`).waitFor();
  t.equal(await b.getByTestId('history-row').count(), 1, 'history finds exactly that session by its ID');
  await screenshot(b, 'e2e-history');

  const token = await app.login('e2e', bob.email, bob.password);
  const started = await app.request({ method: 'POST', url: '/api/conversations/exports', token, body: { format: 'csv', filters: { code } } });
  t.equal(started.statusCode, 202);
  let state = started.json();
  for (let i = 0; i < 100 && state.state !== 'done'; i++) {
    await new Promise((r) => setTimeout(r, 200));
    state = (await app.request({ method: 'GET', url: `/api/conversations/exports/${state.id}`, token })).json();
  }
  const csv = await app.request({ method: 'GET', url: `/api/conversations/exports/${state.id}/download`, token });
  t.equal(csv.statusCode, 200);
  t.match(csv.body, code, 'the export contains the session ID');
  t.same(agentA.errors.concat(agentB.errors, visitor.errors), [], 'no errors in any browser console');
});
