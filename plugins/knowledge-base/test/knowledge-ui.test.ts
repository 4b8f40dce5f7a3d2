/**
 * The knowledge base in the console: an agent browses categories and searches in Chinese on the
 * knowledge page, searches from the conversation side panel, and inserts an entry into a reply;
 * an editor creates an entry in admin mode.
 */
import t from 'tap';
import { createTestApp } from '../../../test/helpers/app.ts';
import { ensureConsoleBuilt, launchBrowser, newPage, screenshot, signIn } from '../../../test/helpers/browser.ts';

ensureConsoleBuilt();

t.test('knowledge base in the console', async (t) => {
  const app = await createTestApp(t);
  const base = (await app.listen()).replace('0.0.0.0', '127.0.0.1');
  const tenant = await app.tenant('kbui');
  const agent = await app.member('kbui', 'agent', 'lin@kbui.test');
  const api = (method: string, url: string, body?: unknown) => app.request({ method, url: `/api/knowledge-base${url}`, token: tenant.adminToken, body });
  const billing = (await api('POST', '/categories', { name: '账单与退款' })).json();
  await api('POST', '/entries', { title: '退款政策', content: '<p>订单签收后七天内可以申请<strong>退款</strong>。</p>', categoryId: billing.id, status: 'published' });
  await api('POST', '/entries', { title: 'Invoice requests', content: '<p>Admins request a VAT invoice within 90 days.</p>', categoryId: billing.id, status: 'published' });

  const browser = await launchBrowser(t);
  const { page, context, errors } = await newPage(browser);
  t.teardown(() => context.close());
  await signIn(page, base, { tenant: 'kbui', email: agent.email, password: agent.password });
  await page.getByTestId('workbench').waitFor();

  await t.test('knowledge page: category, entry, search', async (t) => {
    await page.getByTestId('nav-knowledge-base/read').click();
    await page.getByTestId('kb-page').waitFor();
    await page.getByTestId('kb-category').filter({ hasText: '账单与退款' }).click();
    await page.getByTestId('kb-entry-link').filter({ hasText: '退款政策' }).click();
    await page.getByTestId('kb-entry').waitFor();
    t.match(await page.getByTestId('kb-entry').innerText(), '七天内可以申请退款');
    await page.getByTestId('kb-search').fill('退款');
    await page.getByTestId('kb-hits').waitFor();
    t.equal(await page.locator('[data-testid="kb-hits"] mark').first().textContent(), '退款', 'matches are highlighted');
    await screenshot(page, 'kb-page-search');
  });

  await t.test('side panel search and insert into the reply', async (t) => {
    const v = (await app.request({ method: 'POST', url: '/api/visitor/session', body: { tenant: 'kbui', name: 'Zhou' } })).json();
    const started = (await app.request({ method: 'POST', url: '/api/conversations/visitor/sessions', token: v.token, body: { name: 'Zhou' } })).json().session;
    await app.request({ method: 'POST', url: `/api/conversations/visitor/sessions/${started.id}/messages`, token: v.token, body: { clientMsgId: 'q1', type: 'text', body: { text: '怎么退款？' } } });
    await page.getByTestId('nav-workbench').click().catch(() => page.goto(`${base}/console/agent`));
    await page.locator(`[data-testid="session-item"][data-session="${started.id}"]`).click();
    await page.getByTestId('side-tab-knowledge-base/knowledge').click();
    await page.getByTestId('kb-tab-search').fill('invoice');
    await page.locator('[data-testid="kb-tab"] [data-testid="kb-hits"]').waitFor();
    t.match(await page.locator('[data-testid="kb-tab"] [data-testid="kb-hits"]').innerText(), 'Invoice requests');

    await page.getByTestId('composer-plugin-knowledge-base-knowledge').click();
    await page.getByTestId('kb-picker-search').fill('退款');
    await page.locator('[data-testid="kb-picker"] .kb-hit').first().click();
    // The picker fetches the entry, inserts its text, then closes.
    await page.getByTestId('kb-picker').waitFor({ state: 'detached' });
    t.match(await page.getByTestId('composer-input').inputValue(), '订单签收后七天内可以申请退款', 'the entry text is in the reply box');
    await screenshot(page, 'kb-side-panel');
  });

  await t.test('an editor creates an entry in admin mode', async (t) => {
    const { page: admin, context: adminCtx } = await newPage(browser);
    t.teardown(() => adminCtx.close());
    await signIn(admin, base, { tenant: 'kbui', email: 'admin@kbui.test', password: 'correct horse battery' });
    await admin.goto(`${base}/console/admin/p/knowledge-base/manage`);
    await admin.getByTestId('kb-admin').waitFor();
    await admin.getByTestId('kb-new-entry').click();
    await admin.getByTestId('kb-title').fill('Opening hours');
    await admin.getByTestId('kb-content').fill('<p>We answer 9:00–18:00.</p><script>alert(1)</script>');
    await admin.getByTestId('kb-status').selectOption('published');
    await admin.getByTestId('kb-save').click();
    await admin.locator('td', { hasText: 'Opening hours' }).waitFor();
    const stored = (await api('GET', '/search?q=opening')).json().items[0];
    t.equal(stored.title, 'Opening hours');
    await screenshot(admin, 'kb-admin');
  });

  t.same(errors, [], 'no errors in the browser console');
});
