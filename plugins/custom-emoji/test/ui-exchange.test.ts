/**
 * Custom emoji in a real browser. An admin uploads packs in Settings > Custom emoji (a progress bar
 * with the bytes sent, then "processing"; a refused pack lists every file and reason, in Chinese
 * too), renames and reorders them. An agent in the console and a visitor exchange custom emoji;
 * the visitor uses the real widget, embedded in a page of another origin. Finally the agent's role loses "enable custom emoji": the picker is gone.
 */
import t from 'tap';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { createTestApp } from '../../../test/helpers/app.ts';
import { ensureConsoleBuilt, launchBrowser, newPage, screenshot, signIn } from '../../../test/helpers/browser.ts';
import { MAX_STATIC_IMAGE_BYTES } from '../src/limits.ts';
import { SVG_WITH_SCRIPT, buildZip, padPngTo, png, pseudoRandomBytes } from './fixtures.ts';
import { ensureWidgetBuilt } from '../../../test/widget/build-widget.ts';
import { startHostPage } from '../../../test/widget/host-server.ts';

ensureConsoleBuilt();
await ensureWidgetBuilt();

const PASSWORD = 'correct horse battery';

/** A 200×200 face: a coloured disc with eyes and a mouth, so the screenshots show real emoji. */
function face(fill: string, mouth: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200">
    <circle cx="100" cy="100" r="92" fill="${fill}" stroke="#7a4b00" stroke-width="6"/>
    <circle cx="70" cy="80" r="12" fill="#3b2400"/><circle cx="130" cy="80" r="12" fill="#3b2400"/>
    <path d="${mouth}" fill="none" stroke="#3b2400" stroke-width="10" stroke-linecap="round"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** An animated GIF: a face whose colour changes every frame. */
async function partyGif(): Promise<Buffer> {
  const frames = await Promise.all(['#ffd43b', '#ff8787', '#74c0fc', '#8ce99a'].map((c) => face(c, 'M60 125 Q100 170 140 125')));
  return sharp(frames, { join: { animated: true } }).gif({ delay: 200, loop: 0 }).toBuffer();
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const imageLoaded = (page: Page, selector: string) =>
  until(`${selector} to load`, () => page.locator(selector).last().evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0));

const app = await createTestApp(t);
const base = (await app.listen()).replace('0.0.0.0', '127.0.0.1');
const tenant = await app.tenant('emo', { edition: 'flagship' });
const agent = await app.member('emo', 'agent', 'ana@emo.test');
const browser = await launchBrowser(t);
const host = await startHostPage(t, base);

const facesZip = buildZip([
  { name: 'faces/smile.png', data: await face('#ffd43b', 'M60 120 Q100 160 140 120') },
  { name: 'faces/grin.png', data: await face('#ffa94d', 'M55 115 L145 115 Q100 175 55 115') },
  { name: 'faces/meh.png', data: await face('#dee2e6', 'M65 130 L135 130') },
  { name: 'faces/sad.png', data: await face('#a5d8ff', 'M60 145 Q100 105 140 145') },
  { name: 'faces/party.gif', data: await partyGif() },
  // Stored, incompressible padding that the validator skips: makes the upload long enough to watch.
  { name: '__MACOSX/padding.bin', data: pseudoRandomBytes(1_500_000), method: 0 },
]);

t.test('Settings > Custom emoji', async (t) => {
  const { page, context, errors } = await newPage(browser);
  t.teardown(() => context.close());
  await signIn(page, base, { tenant: 'emo', email: `admin@emo.test`, password: PASSWORD });
  await page.goto(`${base}/console/admin/settings/custom-emoji/packs`);
  await page.getByTestId('custom-emoji-settings').waitFor();

  await t.test('an upload shows its progress, then the result', async (t) => {
    // Record every state of the progress bar, however briefly it is shown.
    await page.evaluate(() => {
      const seen: Array<{ phase: string; percent: number }> = [];
      (window as unknown as { __progress: typeof seen }).__progress = seen;
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid="custom-emoji-progress"]');
        if (!el) return;
        const last = seen[seen.length - 1];
        const now = { phase: el.getAttribute('data-phase') ?? '', percent: Number(el.getAttribute('data-percent')) };
        if (!last || last.phase !== now.phase || last.percent !== now.percent) seen.push(now);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 600 * 1024 });

    await page.getByTestId('custom-emoji-name').fill('Faces');
    await page.getByTestId('custom-emoji-file').setInputFiles({ name: 'faces.zip', mimeType: 'application/zip', buffer: facesZip });
    await page.getByTestId('custom-emoji-submit').click();
    await page.locator('[data-testid="custom-emoji-progress"][data-phase="sending"]').waitFor();
    await screenshot(page, 'custom-emoji-uploading');
    await page.locator('[data-testid="custom-emoji-result"][data-state="ok"]').waitFor({ timeout: 30_000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    const seen = await page.evaluate(() => (window as unknown as { __progress: Array<{ phase: string; percent: number }> }).__progress);
    const sending = seen.filter((s) => s.phase === 'sending').map((s) => s.percent);
    t.ok(sending.some((p) => p > 0 && p < 100), `intermediate progress was shown (${sending.join(', ')} %)`);
    t.same(sending, [...sending].sort((a, b) => a - b), 'the bar only moves forward');
    t.equal(seen[seen.length - 1]?.phase, 'processing', 'after the last byte: processing, until the answer');
    t.match(await page.getByTestId('custom-emoji-result').textContent(), /Pack “Faces” was added with 5 emoji\./);
    await page.locator('[data-testid="custom-emoji-pack"][data-name="Faces"]').waitFor();
    await imageLoaded(page, '[data-testid="custom-emoji-pack"] img');
  });

  await t.test('a refused pack lists every file and reason, in the console\'s language', async (t) => {
    await page.getByTestId('language-switch').selectOption('zh-CN');
    const bad = buildZip([
      { name: 'ok.png', data: await png(200, 200, 1) },
      { name: '../escape.png', data: await png(200, 200, 2) },
      { name: 'script.png', data: SVG_WITH_SCRIPT },
      { name: 'huge.png', data: padPngTo(await png(200, 200, 3), MAX_STATIC_IMAGE_BYTES + 1) },
    ]);
    await page.getByTestId('custom-emoji-name').fill('坏的');
    await page.getByTestId('custom-emoji-file').setInputFiles({ name: 'bad.zip', mimeType: 'application/zip', buffer: bad });
    await page.getByTestId('custom-emoji-submit').click();
    await page.locator('[data-testid="custom-emoji-result"][data-state="refused"]').waitFor();
    const rows = await page.getByTestId('custom-emoji-rejected').evaluateAll((els) => els.map((e) => [e.getAttribute('data-file'), e.getAttribute('data-code'), e.querySelectorAll('td')[1]!.textContent]));
    t.same(rows, [
      ['../escape.png', 'UNSAFE_PATH', '文件路径不合法（绝对路径、包含 “..” 或反斜杠）。'],
      ['huge.png', 'IMAGE_TOO_LARGE', '图片过大：PNG / JPEG 图片最大为 51,200 字节。'],
      ['script.png', 'TYPE_MISMATCH', '文件内容与扩展名不符，不是有效的 PNG 图片。'],
    ]);
    t.match(await page.getByTestId('custom-emoji-result').textContent(), /表情包未添加.*有 3 个文件不符合要求/);
    await screenshot(page, 'custom-emoji-refused-zh');
    await page.getByTestId('language-switch').selectOption('en');
  });

  await t.test('a second pack, renamed and moved first', async (t) => {
    const animals = buildZip([
      { name: 'cat.png', data: await face('#fcc2d7', 'M70 125 Q85 140 100 125 Q115 140 130 125') },
      { name: 'frog.png', data: await face('#8ce99a', 'M50 120 Q100 150 150 120') },
    ]);
    await page.getByTestId('custom-emoji-name').fill('Animals');
    await page.getByTestId('custom-emoji-file').setInputFiles({ name: 'animals.zip', mimeType: 'application/zip', buffer: animals });
    await page.getByTestId('custom-emoji-submit').click();
    const pack = page.locator('[data-testid="custom-emoji-pack"][data-name="Animals"]');
    await pack.waitFor();
    await pack.getByTestId('custom-emoji-rename').click();
    await pack.getByTestId('custom-emoji-rename-input').fill('Critters');
    await pack.getByTestId('custom-emoji-rename-save').click();
    const critters = page.locator('[data-testid="custom-emoji-pack"][data-name="Critters"]');
    await critters.waitFor();
    await critters.getByTestId('custom-emoji-up').click();
    await until('the new order', async () => (await page.getByTestId('custom-emoji-pack').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')).join())) === 'Critters,Faces');
    const stored = (await app.request({ method: 'GET', url: '/api/custom-emoji/packs', token: tenant.adminToken })).json().packs;
    t.same(stored.map((p: { name: string }) => p.name), ['Critters', 'Faces'], 'renamed and reordered on the server');
    await screenshot(page, 'custom-emoji-admin');
  });

  t.same(errors, [], 'no script errors');
});

t.test('an agent and a visitor exchange custom emoji', async (t) => {
  const agentPage = await newPage(browser);
  const visitorPage = await newPage(browser, { width: 480, height: 660 });
  t.teardown(() => agentPage.context.close());
  t.teardown(() => visitorPage.context.close());
  const { page } = agentPage;
  const visitor = visitorPage.page;

  await signIn(page, base, { tenant: 'emo', email: agent.email, password: agent.password });
  await page.getByTestId('workbench').waitFor();
  await until('the agent to be online', async () => (await page.getByTestId('agent-status').getAttribute('data-status')) === 'idle');

  await visitor.goto(host.url({ tenant: 'emo' }));
  await visitor.getByTestId('parley-launcher').click();
  await visitor.getByTestId('parley-panel').waitFor();
  await visitor.getByTestId('parley-input').fill('Hi! Do you have emoji?');
  await visitor.getByTestId('parley-input').press('Enter');

  const item = page.getByTestId('session-item').first();
  await item.waitFor();
  await item.click();
  await page.locator('[data-testid="message"][data-sender="visitor"]', { hasText: 'Do you have emoji?' }).waitFor();

  await t.test('the agent picks one in the composer; both sides show it', async (t) => {
    await page.getByTestId('composer-plugin-custom-emoji-picker').click();
    await page.getByTestId('custom-emoji-picker').waitFor();
    await page.getByTestId('custom-emoji-picker-tab').nth(1).waitFor(); // the packs load after the picker opens
    const tabs = await page.getByTestId('custom-emoji-picker-tab').allTextContents();
    t.same(tabs.map((s) => s.trim()), ['Critters', 'Faces'], 'one tab per pack, in order');
    await page.getByTestId('custom-emoji-picker-tab').nth(1).click();
    await imageLoaded(page, '[data-testid="custom-emoji-pick"] img');
    await screenshot(page, 'custom-emoji-console-picker');
    await page.locator('[data-testid="custom-emoji-pick"][data-name="smile"]').click();
    await page.locator('[data-testid="message"][data-sender="agent"] [data-testid="custom-emoji-message"][data-name="smile"]').waitFor();
    await imageLoaded(page, '[data-testid="message"][data-sender="agent"] img[data-testid="custom-emoji-message"]');
    t.equal(await page.getByTestId('custom-emoji-picker').count(), 0, 'the picker closes after sending');

    const atVisitor = '[data-testid="parley-message-agent"] img[data-testid="custom-emoji-message"][data-name="smile"]';
    await visitor.locator(atVisitor).waitFor();
    await imageLoaded(visitor, atVisitor);
  });

  await t.test('the visitor picks one; both sides show it, animated', async (t) => {
    await visitor.getByTestId('parley-tool-custom-emoji-picker').click();
    await visitor.getByTestId('custom-emoji-picker').waitFor();
    await visitor.locator('.custom-emoji-tab', { hasText: 'Faces' }).click();
    await visitor.locator('[data-testid="custom-emoji-pick"][data-name="party"]').click();
    const mine = '[data-testid="parley-message-visitor"] img[data-testid="custom-emoji-message"][data-name="party"]';
    await visitor.locator(mine).waitFor();
    await imageLoaded(visitor, mine);

    const atAgent = '[data-testid="message"][data-sender="visitor"] img[data-testid="custom-emoji-message"][data-name="party"]';
    await page.locator(atAgent).waitFor();
    await imageLoaded(page, atAgent);
    const src = await page.locator(atAgent).getAttribute('src');
    const gif = await fetch(base + src);
    t.equal(gif.headers.get('content-type'), 'image/gif', 'the original GIF is shown');
    t.equal((await sharp(Buffer.from(await gif.arrayBuffer()), { animated: true }).metadata()).pages, 4, 'with all its frames');
    await page.getByTestId('composer-input').fill('Party time!');
    await page.getByTestId('composer-input').press('Enter');
    await visitor.getByTestId('parley-message-agent').filter({ hasText: 'Party time!' }).waitFor();
    await screenshot(page, 'custom-emoji-console-chat');
    await screenshot(visitor, 'custom-emoji-visitor');
  });

  await t.test('without "enable custom emoji" the picker is gone, the emoji still show', async (t) => {
    const role = await app.request({ method: 'POST', url: '/api/roles', token: tenant.adminToken, body: { name: 'Trainee', grants: ['conversations.workbench', 'conversations.queue', 'conversations.history'] } });
    t.equal(role.statusCode, 201, role.body);
    const changed = await app.request({ method: 'PATCH', url: `/api/members/${agent.id}`, token: tenant.adminToken, body: { roleKey: role.json().key } });
    t.equal(changed.statusCode, 200, changed.body);
    await page.reload();
    await page.getByTestId('composer-input').waitFor();
    await page.locator('[data-testid="message"] img[data-testid="custom-emoji-message"][data-name="party"]').waitFor();
    t.equal(await page.getByTestId('composer-plugin-custom-emoji-picker').count(), 0, 'no picker button');
    await screenshot(page, 'custom-emoji-no-permission');
  });

  t.same(agentPage.errors, [], 'no script errors in the console');
  t.same(visitorPage.errors, [], 'no script errors on the visitor page');
});
