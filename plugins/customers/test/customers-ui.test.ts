/**
 * The customer center in the console: an agent picks a group tab and sees its members, cannot
 * edit a read-only field, and sees the customer's groups on the conversation's customer tab.
 */
import t from 'tap';
import { createTestApp } from '../../../test/helpers/app.ts';
import { ensureConsoleBuilt, launchBrowser, newPage, screenshot, signIn } from '../../../test/helpers/browser.ts';

ensureConsoleBuilt();

t.test('customer center in the console', async (t) => {
  const app = await createTestApp(t);
  const base = (await app.listen()).replace('0.0.0.0', '127.0.0.1');
  const tenant = await app.tenant('cuui');
  const agent = await app.member('cuui', 'agent', 'wu@cuui.test');
  const api = (method: string, url: string, body?: unknown) => app.request({ method, url: `/api/customers${url}`, token: tenant.adminToken, body });
  await api('POST', '/fields', { key: 'level', label: 'Member level', type: 'single', options: ['gold', 'silver'], readOnly: true });
  const vip = (await api('POST', '/groups', { name: 'VIP', kind: 'manual', vip: true })).json();
  await api('POST', '/groups', { name: 'Hidden watchlist', kind: 'manual', agentVisible: false });

  const v = (await app.request({ method: 'POST', url: '/api/visitor/session', body: { tenant: 'cuui', name: 'Qian' } })).json();
  const started = (await app.request({ method: 'POST', url: '/api/conversations/visitor/sessions', token: v.token, body: { name: 'Qian' } })).json().session;
  await app.request({ method: 'POST', url: `/api/conversations/visitor/sessions/${started.id}/messages`, token: v.token, body: { clientMsgId: 'h1', type: 'text', body: { text: 'hello' } } });
  let profile: { id: string } | undefined;
  for (let i = 0; i < 50 && !profile; i++) {
    const res = await api('GET', `/profiles/by-visitor/${v.visitorId}`);
    if (res.statusCode === 200) profile = res.json();
    else await new Promise((r) => setTimeout(r, 100));
  }
  t.ok(profile, 'the visitor became a customer');
  await api('PATCH', `/profiles/${profile!.id}`, { values: { company: 'Qian Tea House' } });
  await api('PUT', `/groups/${vip.id}/members/${profile!.id}`);

  const browser = await launchBrowser(t);
  const { page, context, errors } = await newPage(browser);
  t.teardown(() => context.close());
  await signIn(page, base, { tenant: 'cuui', email: agent.email, password: agent.password });
  await page.getByTestId('workbench').waitFor();

  await t.test('group tabs show members; hidden groups are absent', async (t) => {
    await page.getByTestId('nav-customers/center').click();
    await page.getByTestId('customer-center').waitFor();
    const tabs = await page.getByTestId('customer-group-tab').allInnerTexts();
    t.ok(tabs.some((x) => x.startsWith('VIP')), 'the VIP tab is there');
    t.notOk(tabs.some((x) => x.includes('Hidden')), 'a group not visible to agents is not');
    await page.getByTestId('customer-group-tab').filter({ hasText: 'VIP' }).click();
    await page.getByTestId('customer-row').filter({ hasText: 'Qian' }).click();
    await page.getByTestId('customer-profile').waitFor();
    t.match(await page.getByTestId('customer-groups').innerText(), 'VIP');
    await page.getByTestId('customer-edit').click();
    t.equal(await page.getByTestId('customer-field-level').count(), 0, 'the read-only field has no input');
    await screenshot(page, 'customer-center');
  });

  await t.test('the conversation side panel shows the customer and their groups', async (t) => {
    await page.getByTestId('nav-workbench').click().catch(() => page.goto(`${base}/console/agent`));
    await page.locator(`[data-testid="session-item"][data-session="${started.id}"]`).click();
    await page.getByTestId('side-tab-customers/customer').click();
    await page.getByTestId('customer-tab').locator('[data-testid="customer-groups"]').waitFor();
    t.match(await page.getByTestId('customer-tab').innerText(), 'Qian Tea House');
    t.match(await page.getByTestId('customer-tab').locator('[data-testid="customer-groups"]').innerText(), 'VIP');
    await screenshot(page, 'customer-tab');
  });

  t.same(errors, [], 'no errors in the browser console');
});
