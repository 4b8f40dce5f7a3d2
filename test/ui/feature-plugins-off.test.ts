/**
 * The knowledge base and the customer center switched off for one tenant: its console shows
 * nothing of them (no pages, side-panel tabs, composer buttons or settings, no plugin code fetched)
 * and their routes answer PLUGIN_DISABLED; a second tenant, with both on, still sees both.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { createTestApp } from '../helpers/app.ts';
import { ensureConsoleBuilt, launchBrowser, newPage, screenshot, signIn } from '../helpers/browser.ts';

ensureConsoleBuilt();

const FEATURES = ['knowledge-base', 'customers'];

t.test('knowledge base and customers switched off leave no trace in the console', async (t) => {
  const app = await createTestApp(t);
  const base = (await app.listen()).replace('0.0.0.0', '127.0.0.1');
  const off = await app.tenant('featoff');
  const on = await app.tenant('feaon');
  for (const id of FEATURES) {
    const res = await app.request({ method: 'POST', url: `/api/plugins/${id}/disable`, token: off.adminToken });
    t.equal(res.statusCode, 200, `${id} switched off`);
  }
  const offAgent = await app.member('featoff', 'agent');
  const onAgent = await app.member('feaon', 'agent');

  // A live conversation for each agent, so the side panel and the composer are on screen.
  const chat = async (slug: string) => {
    const v = (await app.request({ method: 'POST', url: '/api/visitor/session', body: { tenant: slug, name: 'Mei' } })).json();
    return (await app.request({ method: 'POST', url: '/api/conversations/visitor/sessions', token: v.token, body: { name: 'Mei' } })).json().session;
  };

  for (const id of FEATURES) {
    const route = id === 'knowledge-base' ? '/api/knowledge-base/entries' : '/api/customers/profiles';
    const res = await app.request({ method: 'GET', url: route, token: off.adminToken });
    t.same([res.statusCode, res.json().code], [404, 'PLUGIN_DISABLED'], `${route} is closed for the tenant that switched it off`);
    t.equal((await app.request({ method: 'GET', url: route, token: on.adminToken })).statusCode, 200, `and open for the other`);
  }

  const browser = await launchBrowser(t);
  const traces = async (page: Page) => page.evaluate((ids) => {
    const testIds = [...document.querySelectorAll('[data-testid]')].map((e) => e.getAttribute('data-testid')!);
    return {
      elements: testIds.filter((id) => ids.some((p) => id.includes(p))),
      fetched: performance.getEntriesByType('resource').map((e) => e.name).filter((n) => ids.some((p) => n.includes(`/ui/plugins/${p}/`))),
    };
  }, FEATURES);

  const visit = async (who: { email: string; password: string }, slug: string) => {
    const session = await chat(slug);
    const { page, context, errors } = await newPage(browser);
    t.teardown(() => context.close());
    await signIn(page, base, { tenant: slug, email: who.email, password: who.password });
    await page.getByTestId('workbench').waitFor();
    await page.locator(`[data-testid="session-item"][data-session="${session.id}"]`).click();
    await page.getByTestId('side-panel').waitFor();
    await page.getByTestId('composer').waitFor();
    return { page, errors };
  };

  await t.test('the agent of the tenant with both off sees neither', async (t) => {
    const { page, errors } = await visit(offAgent, 'featoff');
    await page.getByTestId('side-tab-profile').waitFor();
    const preview = await page.locator(`[data-testid="session-item"] .preview`).first().innerText();
    t.equal(preview, 'No messages yet', 'a system event (the assignment) does not become the list preview');
    t.same(await traces(page), { elements: [], fetched: [] }, 'no page, tab or composer button, and no plugin code fetched');
    await screenshot(page, 'features-off-workbench');
    await page.goto(`${base}/console/agent/p/knowledge-base/read`);
    await page.getByTestId('page-not-found').waitFor();
    t.pass('a bookmarked knowledge page is simply not there');
    t.same(errors, [], 'no script errors');
  });

  await t.test('the admin of that tenant finds no settings of theirs either', async (t) => {
    const { page, context, errors } = await newPage(browser);
    t.teardown(() => context.close());
    await signIn(page, base, { tenant: 'featoff', email: 'admin@featoff.test', password: 'correct horse battery' });
    await page.getByTestId('sidebar').waitFor();
    await page.goto(`${base}/console/admin/plugins`);
    await page.getByTestId('page-plugins').waitFor();
    for (const id of FEATURES) {
      t.equal(await page.locator(`[data-testid="plugin-row"][data-plugin="${id}"] [data-testid="plugin-toggle"]`).getAttribute('aria-checked'), 'false', `${id} is listed as off`);
    }
    const { elements, fetched } = await traces(page);
    t.same({ elements: elements.filter((id) => !id.startsWith('plugin-')), fetched }, { elements: [], fetched: [] }, 'nothing else of them in admin mode');
    t.same(errors, [], 'no script errors');
  });

  await t.test('the other tenant, with both on, sees both', async (t) => {
    const { page, errors } = await visit(onAgent, 'feaon');
    await page.getByTestId('side-tab-knowledge-base/knowledge').waitFor();
    await page.getByTestId('side-tab-customers/customer').waitFor();
    await page.getByTestId('nav-knowledge-base/read').waitFor();
    await page.getByTestId('nav-customers/center').waitFor();
    t.ok((await traces(page)).fetched.length >= 2, 'their code was fetched');
    t.same(errors, [], 'no script errors');
  });
});
