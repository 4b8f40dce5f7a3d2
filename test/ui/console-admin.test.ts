/**
 * The console in Chromium, admin side: sign-in (errors, remember me), members, a custom role with a
 * permission subtree, plugins (enable, licence refusal, a disabled plugin leaving no trace), language.
 */
import t from 'tap';
import { createTestApp } from '../helpers/app.ts';
import { ensureConsoleBuilt, launchBrowser, newPage, screenshot, signIn, UI_FIXTURE_PLUGINS } from '../helpers/browser.ts';

// A browser, a real server and (when stale) a console build take longer than unit tests.
t.setTimeout(600_000);
ensureConsoleBuilt();

const PASSWORD = 'correct horse battery';

t.test('admin console', async (t) => {
  const app = await createTestApp(t, { pluginPaths: UI_FIXTURE_PLUGINS });
  const base = (await app.listen()).replace('0.0.0.0', '127.0.0.1');
  const tenant = await app.tenant('acme', { seats: 5 });
  const browser = await launchBrowser(t);

  await t.test('a wrong password shows a translated error, in English and in Chinese', async (t) => {
    const { page, context } = await newPage(browser);
    await page.goto(`${base}/`);
    await page.getByTestId('login-form').waitFor();
    t.match(page.url(), /\/console\/login/, '/ redirects to the console, which asks to sign in');
    await page.getByTestId('login-tenant').fill('acme');
    await page.getByTestId('login-email').fill(`admin@acme.test`);
    await page.getByTestId('login-password').fill('wrong password');
    await page.getByTestId('login-submit').click();
    t.equal(await page.getByTestId('login-error').textContent(), 'The company ID, email or password is wrong.');
    await screenshot(page, 'login-error-en');

    await page.getByTestId('language-switch').selectOption('zh-CN');
    t.equal(await page.getByTestId('login-submit').textContent(), '登录');
    await page.getByTestId('login-password').fill('still wrong');
    await page.getByTestId('login-submit').click();
    await page.getByText('企业 ID、邮箱或密码错误。').waitFor();
    await screenshot(page, 'login-error-zh');
    await context.close();
  });

  await t.test('a browser asking for Chinese gets Chinese by default', async (t) => {
    const { page, context } = await newPage(browser, { locale: 'zh-CN' });
    await page.goto(`${base}/console/`);
    await page.getByTestId('login-form').waitFor();
    t.equal(await page.getByTestId('login-submit').textContent(), '登录');
    t.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    await context.close();
  });

  await t.test('remember me keeps the session for 7 days; without it the cookie ends with the browser', async (t) => {
    const remembered = await newPage(browser);
    await signIn(remembered.page, base, { tenant: 'acme', email: 'admin@acme.test', password: PASSWORD, remember: true });
    const cookie = (await remembered.context.cookies()).find((c) => c.name === 'parley_session')!;
    const days = (cookie.expires * 1000 - Date.now()) / 86_400_000;
    t.ok(days > 6.9 && days <= 7, `remembered cookie lasts 7 days (${days.toFixed(2)})`);
    t.ok(cookie.httpOnly, 'the session cookie is not readable by scripts');
    await remembered.page.reload();
    await remembered.page.getByTestId('sidebar').waitFor();
    t.pass('a reload keeps the member signed in');
    await remembered.context.close();

    const plain = await newPage(browser);
    await signIn(plain.page, base, { tenant: 'acme', email: 'admin@acme.test', password: PASSWORD });
    const session = (await plain.context.cookies()).find((c) => c.name === 'parley_session')!;
    t.equal(session.expires, -1, 'a session cookie without remember me');
    await plain.context.close();
  });

  const { page, context, errors } = await newPage(browser);
  t.teardown(() => context.close());

  await t.test('admin creates an agent and sees the seats', async (t) => {
    await signIn(page, base, { tenant: 'acme', email: 'admin@acme.test', password: PASSWORD });
    await page.getByTestId('mode-admin').click();
    await page.getByTestId('nav-members').click();
    await page.getByTestId('page-members').waitFor();
    t.equal(await page.getByTestId('seats').textContent(), '1 of 5 seats in use');
    await page.getByTestId('member-add').click();
    await page.getByTestId('member-name').fill('Alice Agent');
    await page.getByTestId('member-email').fill('alice@acme.test');
    await page.getByTestId('member-password').fill('short');
    await page.getByTestId('member-create-submit').click();
    t.ok(await page.getByTestId('member-create-dialog').isVisible(), 'the browser refuses a short password before sending it');
    await page.getByTestId('member-password').fill('alice password 1');
    await page.getByTestId('member-create-submit').click();
    await page.locator('[data-testid="member-row"][data-email="alice@acme.test"]').waitFor();
    t.equal(await page.getByTestId('seats').textContent(), '2 of 5 seats in use');
    await screenshot(page, 'members');

    // The same email again: the server's refusal, translated.
    await page.getByTestId('member-add').click();
    await page.getByTestId('member-name').fill('Alice Again');
    await page.getByTestId('member-email').fill('alice@acme.test');
    await page.getByTestId('member-password').fill('alice password 1');
    await page.getByTestId('member-create-submit').click();
    t.equal(await page.getByTestId('member-create-error').textContent(), 'A member with this email already exists.');
    await page.keyboard.press('Escape');

    const login = await app.request({ method: 'POST', url: '/api/auth/login', body: { tenant: 'acme', email: 'alice@acme.test', password: 'alice password 1' } });
    t.equal(login.statusCode, 200, 'the new agent can sign in');
    t.equal(login.json().member.roleKey, 'agent');
  });

  await t.test('admin creates a custom role granting a subtree and gives it to the agent', async (t) => {
    await page.getByTestId('nav-roles').click();
    await page.getByTestId('page-roles').waitFor();
    await page.getByTestId('role-add').click();
    await page.getByTestId('role-new-name').fill('Supervisor');
    await page.getByTestId('role-create-submit').click();
    await page.getByTestId('role-name').waitFor();
    t.equal(await page.getByTestId('role-name').inputValue(), 'Supervisor');

    // Checking "Settings" checks everything under it; unchecking one child keeps its siblings.
    await page.getByTestId('perm-settings').check();
    for (const key of ['settings.members', 'settings.roles', 'settings.plugins', 'settings.api-keys', 'settings.tenant']) {
      t.ok(await page.getByTestId(`perm-${key}`).isChecked(), `${key} checked with its parent`);
    }
    await page.getByTestId('perm-settings.plugins').uncheck();
    t.notOk(await page.getByTestId('perm-settings').isChecked(), 'the parent is no longer fully granted');
    t.ok(await page.getByTestId('perm-settings').evaluate((el) => (el as HTMLInputElement).indeterminate), 'the parent shows partly checked');
    await screenshot(page, 'role-editor');
    await page.getByTestId('role-save').click();
    await page.getByText('The role was saved.').waitFor();

    const roles = (await app.request({ method: 'GET', url: '/api/roles', token: tenant.adminToken })).json().items as Array<{ key: string; name: string; grants: string[] }>;
    const supervisor = roles.find((r) => r.name === 'Supervisor')!;
    t.same(supervisor.grants, ['settings.api-keys', 'settings.members', 'settings.roles', 'settings.tenant']);

    await page.getByTestId('nav-members').click();
    const row = page.locator('[data-testid="member-row"][data-email="alice@acme.test"]');
    await row.getByTestId('member-role').selectOption(supervisor.key);
    await page.getByText('Alice Agent was updated.').waitFor();
    const members = (await app.request({ method: 'GET', url: '/api/members', token: tenant.adminToken })).json().items as Array<{ email: string; roleKey: string }>;
    t.equal(members.find((m) => m.email === 'alice@acme.test')!.roleKey, supervisor.key);
  });

  await t.test('plugins: enabling loads the plugin UI, an add-on shows the licence refusal, disabling leaves no trace', async (t) => {
    await page.getByTestId('nav-plugins').click();
    await page.getByTestId('page-plugins').waitFor();
    const sample = page.locator('[data-testid="plugin-row"][data-plugin="ui-sample"]');
    const addon = page.locator('[data-testid="plugin-row"][data-plugin="ui-addon"]');
    t.equal(await addon.getByTestId('plugin-license').textContent(), 'Add-on');
    t.equal(await sample.getByTestId('plugin-license').textContent(), 'Included');
    t.equal(await page.getByTestId('nav-settings-ui-sample/main').count(), 0, 'no settings page before the plugin is on');
    t.notOk(await page.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.includes('/ui/plugins/ui-sample/'))), 'its module was not fetched');

    await addon.getByTestId('plugin-toggle').click();
    t.equal(await addon.getByTestId('plugin-error').textContent(), 'Paid extra is a paid add-on for your edition. Purchase it before switching it on.');
    t.equal(await addon.getByTestId('plugin-toggle').getAttribute('aria-checked'), 'false');

    await sample.getByTestId('plugin-toggle').click();
    await page.getByTestId('nav-settings-ui-sample/main').waitFor();
    t.equal(await sample.getByTestId('plugin-toggle').getAttribute('aria-checked'), 'true');
    await screenshot(page, 'plugins');
    await page.getByTestId('nav-settings-ui-sample/main').click();
    t.match(await page.getByTestId('ui-sample-settings').locator('.card').textContent(), /^Hello from the sample plugin, admin \d+\.$/, 'the plugin page speaks through its own translations');

    await page.getByTestId('nav-plugins').click();
    await sample.getByTestId('plugin-toggle').click();
    await page.getByText('UI sample is switched off.').waitFor();
    await page.getByTestId('nav-settings-ui-sample/main').waitFor({ state: 'detached' });
    t.equal(await page.getByTestId('nav-settings-ui-sample/main').count(), 0, 'its page left the navigation');
    const status = await page.evaluate(async () => (await fetch('/ui/plugins/ui-sample/console.js')).status);
    t.equal(status, 404, 'its module is refused now');
    await page.goto(`${base}/console/admin/settings/ui-sample/main`);
    await page.getByTestId('page-not-found').waitFor();
    t.pass('a deep link to its page finds nothing');
  });

  await t.test('switching to Chinese translates the console', async (t) => {
    await page.getByTestId('nav-members').click();
    await page.getByTestId('language-switch').selectOption('zh-CN');
    t.equal(await page.getByTestId('nav-members').textContent().then((s) => s?.trim()), '成员管理');
    t.equal(await page.getByTestId('nav-roles').textContent().then((s) => s?.trim()), '角色权限');
    t.equal(await page.getByTestId('mode-admin').textContent(), '管理员模式');
    t.equal(await page.getByTestId('mode-agent').textContent(), '客服模式');
    t.equal(await page.getByTestId('seats').textContent(), '已使用 2 / 5 个坐席');
    await screenshot(page, 'members-zh');
    await page.reload();
    await page.getByTestId('page-members').waitFor();
    t.equal(await page.getByTestId('mode-admin').textContent(), '管理员模式', 'the choice survives a reload');
    await page.getByTestId('language-switch').selectOption('en');
  });

  await t.test('a narrow window keeps the console usable', async (t) => {
    await page.setViewportSize({ width: 760, height: 900 });
    await page.getByTestId('page-members').waitFor();
    const folded = await page.getByTestId('sidebar').boundingBox();
    t.ok(folded && folded.x + folded.width <= 0, 'the sidebar folds away');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByTestId('nav-roles').click();
    await page.getByTestId('page-roles').waitFor();
    await screenshot(page, 'roles-narrow');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await t.test('an agent sees agent mode only, and admin pages stay closed to them', async (t) => {
    const agent = await app.member('acme', 'agent', 'bob@acme.test');
    const other = await newPage(browser);
    await signIn(other.page, base, { tenant: 'acme', email: agent.email, password: agent.password });
    t.equal(await other.page.getByTestId('mode-switch').count(), 0, 'no mode switch');
    t.equal(await other.page.getByTestId('nav-members').count(), 0);
    await other.page.goto(`${base}/console/admin/members`);
    await other.page.getByTestId('sidebar').waitFor();
    t.notMatch(other.page.url(), /\/admin\//, 'an admin URL sends the agent back to agent mode');
    await other.context.close();
  });

  t.same(errors, [], 'no script errors on the admin page');
});
