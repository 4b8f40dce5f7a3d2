/**
 * The console's history on a tenant with more than 10,000 sessions: the server counts no further,
 * so the page says "more than 10,000" (in the reader's language) and the pager stops at the last
 * page it can serve.
 */
import t from 'tap';
import { createTestApp } from '../helpers/app.ts';
import { seedClosedSessions } from '../../plugins/conversations/test/helpers.ts';
import { ensureConsoleBuilt, launchBrowser, newPage, screenshot, signIn } from '../helpers/browser.ts';

t.setTimeout(600_000);
ensureConsoleBuilt();

t.test('a history of more than 10,000 sessions says so and pages up to the cap', async (t) => {
  const app = await createTestApp(t);
  const base = (await app.listen()).replace('0.0.0.0', '127.0.0.1');
  await app.tenant('big');
  const agent = await app.member('big', 'agent', 'ann@big.test');

  const visitor = await app.request({ method: 'POST', url: '/api/visitor/session', body: { tenant: 'big', name: 'First Visitor' } });
  const started = await app.request({ method: 'POST', url: '/api/conversations/visitor/sessions', token: visitor.json().token, body: { name: 'First Visitor' } });
  await seedClosedSessions(app.db.knex, started.json().session.id, 10_005);

  const browser = await launchBrowser(t);
  const { page, context, errors } = await newPage(browser);
  t.teardown(() => context.close());
  await signIn(page, base, { tenant: 'big', email: agent.email, password: agent.password });
  await page.getByTestId('nav-history').click();
  await page.getByTestId('page-history').waitFor();
  await page.getByTestId('history-search').click();
  const total = page.getByTestId('history-total');
  await total.waitFor();
  t.equal(await total.textContent(), '1–20 of more than 10,000; narrow the search to see the rest');
  t.equal(await page.getByTestId('history-pages').textContent(), '1 / 500', 'the pager ends at the last page the server serves');
  await total.scrollIntoViewIfNeeded();
  await screenshot(page, 'history-capped');

  await page.getByTestId('language-switch').selectOption('zh-CN');
  t.equal(await total.textContent(), '第 1–20 条，超过 10,000 条；缩小搜索范围以查看其余会话');

  await page.getByTestId('history-visitor').fill('visitor 1000');
  await page.getByTestId('history-search').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-row"]').length === 7);
  t.equal(await total.textContent(), '第 1–7 条，共 7 条', 'below the cap the total is exact');
  t.same(errors, [], 'no script errors');
});
