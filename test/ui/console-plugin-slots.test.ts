/**
 * Plugin UI in the console: an enabled plugin's module fills the named slots (agent page, settings
 * page, side-panel tab, message renderer, composer button) with the console's own Svelte runtime;
 * once the plugin is disabled, a fresh console loads nothing of it.
 */
import t from 'tap';
import { createTestApp } from '../helpers/app.ts';
import { ensureConsoleBuilt, launchBrowser, newPage, screenshot, signIn, UI_FIXTURE_PLUGINS } from '../helpers/browser.ts';

// A browser, a real server and (when stale) a console build take longer than unit tests.
t.setTimeout(600_000);
ensureConsoleBuilt();

t.test('plugin slots', async (t) => {
  const app = await createTestApp(t, { pluginPaths: UI_FIXTURE_PLUGINS });
  const base = (await app.listen()).replace('0.0.0.0', '127.0.0.1');
  const tenant = await app.tenant('slots');
  t.equal((await app.request({ method: 'POST', url: '/api/plugins/ui-sample/enable', token: tenant.adminToken })).statusCode, 200);
  const agent = await app.member('slots', 'agent', 'sam@slots.test');

  const browser = await launchBrowser(t);
  const { page, context, errors } = await newPage(browser);
  t.teardown(() => context.close());
  await signIn(page, base, { tenant: 'slots', email: agent.email, password: agent.password });
  await page.getByTestId('workbench').waitFor();

  const v = (await app.request({ method: 'POST', url: '/api/visitor/session', body: { tenant: 'slots', name: 'Pia' } })).json();
  const started = (await app.request({ method: 'POST', url: '/api/conversations/visitor/sessions', token: v.token, body: {} })).json().session;
  const sent = await app.request({ method: 'POST', url: `/api/conversations/visitor/sessions/${started.id}/messages`, token: v.token, body: { clientMsgId: 'card-1', type: 'sample-card', body: { title: 'Order #77' } } });
  t.equal(sent.statusCode, 200, 'the plugin\'s message type is accepted');

  await page.locator(`[data-testid="session-item"][data-session="${started.id}"]`).click();

  await t.test('message renderer', async (t) => {
    await page.getByTestId('ui-sample-card').waitFor();
    t.equal(await page.getByTestId('ui-sample-card').textContent(), 'Order #77');
  });

  await t.test('side-panel tab after the profile', async (t) => {
    const tabs = await page.locator('[data-testid^="side-tab-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    t.equal(tabs[0], 'side-tab-profile', 'the profile comes first');
    t.ok(tabs.includes('side-tab-ui-sample/sample'), 'then the plugin tab');
    await page.getByTestId('side-tab-ui-sample/sample').click();
    t.equal(await page.getByTestId('ui-sample-tab').textContent(), `Sample: ${started.code}`, 'the tab gets the session');
  });

  await t.test('composer button', async (t) => {
    await page.getByTestId('composer-input').fill('Hi ');
    await page.getByTestId('composer-plugin-ui-sample-wave').click();
    t.equal(await page.getByTestId('composer-input').inputValue(), 'Hi 👋');
    await page.getByTestId('composer-send').click();
    await page.locator('[data-testid="message"][data-sender="agent"]', { hasText: 'Hi 👋' }).waitFor();
    await screenshot(page, 'plugin-slots');
  });

  await t.test('agent page, loaded only when opened', async (t) => {
    t.notOk(await page.evaluate(() => performance.getEntriesByType('resource').some((e) => /NotesPage/.test(e.name))), 'the page chunk is not fetched before it is needed');
    await page.getByTestId('nav-ui-sample/notes').click();
    await page.getByTestId('ui-sample-notes').waitFor();
    t.equal(await page.getByTestId('ui-sample-notes').textContent(), 'Sample notes');
    t.equal(await page.getByTestId('mode-switch').count(), 0, 'an agent has no admin mode (the settings page needs settings.ui-sample)');
  });

  await t.test('a disabled plugin leaves no trace', async (t) => {
    t.equal((await app.request({ method: 'POST', url: '/api/plugins/ui-sample/disable', token: tenant.adminToken })).statusCode, 200);
    app.kernel.pluginState.invalidate();
    await page.goto(`${base}/console/agent/c/${started.id}`);
    await page.getByTestId('chat-pane').waitFor();
    await page.getByTestId('message-unsupported').waitFor();
    t.equal(await page.getByTestId('ui-sample-card').count(), 0, 'no renderer');
    t.equal(await page.locator('[data-testid="side-tab-ui-sample/sample"]').count(), 0, 'no tab');
    t.equal(await page.getByTestId('composer-plugin-ui-sample-wave').count(), 0, 'no composer button');
    t.equal(await page.getByTestId('nav-ui-sample/notes').count(), 0, 'no page');
    t.notOk(await page.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.includes('/ui/plugins/ui-sample/'))), 'its module was not even requested');
  });

  t.same(errors, [], 'no script errors');
});
