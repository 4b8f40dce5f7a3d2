/**
 * The console in Chromium, agent side, against the real conversations plugin: a visitor (driven
 * through the documented REST protocol) writes, the agent answers with text and an image, sees
 * pushes live and after a reconnect (once, not twice), searches, changes status, transfers to a
 * group and takes the session back from the queue, closes it; history finds it by session ID and
 * the CSV export contains it. Answers read before the socket connected do not undo its pushes;
 * history shows a live session as it changes, across its watch being set up and a reconnect, and a
 * history page left before its session loaded starts no watch.
 */
import fs from 'node:fs';
import t from 'tap';
import sharp from 'sharp';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { ensureConsoleBuilt, launchBrowser, newPage, screenshot, signIn } from '../helpers/browser.ts';

// A browser, a real server and (when stale) a console build take longer than unit tests.
t.setTimeout(600_000);
ensureConsoleBuilt();

interface Visitor {
  token: string;
  sessionId: string;
  code: string;
  send(text: string): Promise<void>;
  messages(): Promise<Array<{ seq: number; type: string; body: Record<string, unknown>; sender: { kind: string } }>>;
}

async function visitor(app: TestApp, tenant: string, name: string): Promise<Visitor> {
  const v = await app.request({ method: 'POST', url: '/api/visitor/session', body: { tenant, name } });
  if (v.statusCode !== 200) throw new Error(`visitor: ${v.body}`);
  const token = v.json().token as string;
  const started = await app.request({ method: 'POST', url: '/api/conversations/visitor/sessions', token, body: { name, context: { pageUrl: 'https://shop.example/cart', pageTitle: 'Cart' } } });
  if (started.statusCode !== 200) throw new Error(`start: ${started.body}`);
  const session = started.json().session as { id: string; code: string };
  let n = 0;
  return {
    token,
    sessionId: session.id,
    code: session.code,
    async send(text) {
      const res = await app.request({ method: 'POST', url: `/api/conversations/visitor/sessions/${session.id}/messages`, token, body: { clientMsgId: `v-${Date.now()}-${++n}`, type: 'text', body: { text } } });
      if (res.statusCode !== 200) throw new Error(`send: ${res.body}`);
    },
    async messages() {
      const res = await app.request({ method: 'GET', url: `/api/conversations/visitor/sessions/${session.id}/messages?after=0&limit=500`, token });
      return res.json().messages;
    },
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

t.test('agent workbench and history', async (t) => {
  const app = await createTestApp(t);
  const base = (await app.listen()).replace('0.0.0.0', '127.0.0.1');
  const tenant = await app.tenant('shop');
  const agent = await app.member('shop', 'agent', 'ann@shop.test');
  const browser = await launchBrowser(t);
  const { page, context, errors } = await newPage(browser);
  t.teardown(() => context.close());

  // Every socket goes through this relay, which can lose chosen pushes (routes apply to sockets
  // opened after they are set, so it is set before the console loads).
  let dropText: string | null = null;
  let dropped = 0;
  // Runs once before the page's next conv:watch reaches the server (frames keep their order).
  let beforeWatch: (() => Promise<void>) | null = null;
  const watchFrames: string[] = [];
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    let toServer = Promise.resolve();
    ws.onMessage((msg) => {
      if (typeof msg === 'string' && msg.includes('"conv:watch"')) watchFrames.push(msg);
      toServer = toServer.then(async () => {
        if (beforeWatch && typeof msg === 'string' && msg.includes('"conv:watch"')) {
          const run = beforeWatch;
          beforeWatch = null;
          await run();
        }
        server.send(msg);
      });
    });
    server.onMessage((msg) => {
      if (dropText && typeof msg === 'string' && msg.includes('"conv:message"') && msg.includes(dropText)) {
        dropped++;
        return;
      }
      ws.send(msg);
    });
  });

  await signIn(page, base, { tenant: 'shop', email: agent.email, password: agent.password });
  await page.getByTestId('workbench').waitFor();
  await until('the agent to be online', async () => page.getByTestId('agent-status').getAttribute('data-status').then((s) => s === 'idle'));
  t.equal((await page.getByTestId('agent-status').textContent())?.trim().startsWith('Available'), true, 'the agent is available');

  const mia = await visitor(app, 'shop', 'Mia Visitor');
  await mia.send('Hello, my order has not arrived.');

  await t.test('a visitor\'s conversation arrives with its unread count', async (t) => {
    const item = page.locator(`[data-testid="session-item"][data-session="${mia.sessionId}"]`);
    await item.waitFor();
    await until('one unread message', async () => (await item.getByTestId('unread').textContent().catch(() => null)) === '1');
    t.equal(await page.getByTestId('nav-badge').textContent(), '1', 'the navigation shows the unread count');
    t.match(await item.textContent(), /Mia Visitor/);
    await screenshot(page, 'workbench-incoming');
    await item.click();
    await page.getByTestId('chat-pane').waitFor();
    t.equal(await page.getByTestId('chat-code').textContent(), mia.code, 'the session ID is shown');
    await page.locator('[data-testid="message"][data-sender="visitor"]', { hasText: 'Hello, my order has not arrived.' }).waitFor();
    await until('the unread count to clear', async () => (await item.getByTestId('unread').count()) === 0);
    t.match(await page.getByTestId('profile').textContent(), /shop\.example\/cart/, 'the profile tab shows where the visitor came from');
  });

  await t.test('the agent replies with text and an image; the visitor receives both', async (t) => {
    await page.getByTestId('composer-input').fill('Sorry to hear that! Let me check.');
    await page.getByTestId('composer-input').press('Enter');
    await page.locator('[data-testid="message"][data-sender="agent"]', { hasText: 'Let me check.' }).waitFor();
    // The server does not push my own send back to my socket: the list follows its acknowledgement.
    const row = page.locator(`[data-testid="session-item"][data-session="${mia.sessionId}"]`);
    await until('the list to preview my reply', async () => /Let me check\./.test((await row.textContent()) ?? ''));
    const png = await sharp({ create: { width: 48, height: 32, channels: 3, background: '#3366ff' } }).png().toBuffer();
    await page.getByTestId('composer-image-input').setInputFiles({ name: 'label.png', mimeType: 'image/png', buffer: png });
    const img = page.locator('[data-testid="message"][data-type="image"] img');
    await img.waitFor();
    await until('the image to load', () => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth === 48));
    const seen = await until('the visitor to get both', async () => {
      const m = await mia.messages();
      return m.some((x) => x.type === 'image') && m.some((x) => x.body.text === 'Sorry to hear that! Let me check.') && m;
    });
    t.ok(seen.find((x) => x.type === 'image')!.body.fileId, 'the image message names the stored file');
    // The visitor can have both before the console has its acks.
    const pending = await until('the acks to reach the console', async () => (await page.getByTestId('message-pending').count()) === 0 && 'none');
    t.equal(pending, 'none', 'nothing is left pending');
    await screenshot(page, 'workbench-chat');
  });

  await t.test('a live message appears; after a reconnect a missed one appears once', async (t) => {
    await mia.send('It was order 1234.');
    await page.locator('[data-testid="message"]', { hasText: 'It was order 1234.' }).waitFor();
    app.kernel.realtime.namespace('agent').disconnectSockets(true);
    await mia.send('Are you still there?');
    await page.locator('[data-testid="message"]', { hasText: 'Are you still there?' }).waitFor();
    await until('the socket to be back', async () => page.getByTestId('agent-status').getAttribute('data-status').then((s) => s !== 'offline'));
    await new Promise((r) => setTimeout(r, 500));
    t.equal(await page.locator('[data-testid="message"]', { hasText: 'Are you still there?' }).count(), 1, 'shown once');
    const seqs = await page.getByTestId('message').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    t.same(seqs, [...seqs].sort((a, b) => a - b), 'in sequence order');
    t.equal(new Set(seqs).size, seqs.length, 'no duplicates');
  });

  await t.test('a push lost in transit leaves a gap that the next push fills by a sync', async (t) => {
    dropText = 'Lost in transit';
    await mia.send('Lost in transit');
    await until('the push to be dropped', async () => dropped === 1);
    t.equal(await page.locator('[data-testid="message"]', { hasText: 'Lost in transit' }).count(), 0, 'the lost push is not shown yet');
    dropText = null;
    await mia.send('After the gap');
    await page.locator('[data-testid="message"]', { hasText: 'After the gap' }).waitFor();
    await page.locator('[data-testid="message"]', { hasText: 'Lost in transit' }).waitFor();
    const seqs = await page.getByTestId('message').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    t.same(seqs, [...seqs].sort((a, b) => a - b), 'in sequence order');
    t.equal(new Set(seqs).size, seqs.length, 'no duplicates');
  });

  await t.test('my sessions search by visitor name', async (t) => {
    const other = await visitor(app, 'shop', 'Zed Other');
    await other.send('Hi');
    await page.locator(`[data-testid="session-item"][data-session="${other.sessionId}"]`).waitFor();
    await page.getByTestId('mine-search').fill('mia');
    await until('the search to narrow', async () => (await page.getByTestId('session-item').count()) === 1);
    t.match(await page.getByTestId('session-item').textContent(), /Mia Visitor/);
    await page.getByTestId('mine-search').fill('');
    await until('the list to come back', async () => (await page.getByTestId('session-item').count()) === 2);
  });

  await t.test('status, transfer to a group, pick from the queue, close', async (t) => {
    await page.getByTestId('agent-status').click();
    await page.getByTestId('agent-status-busy').click();
    await until('busy', async () => (await app.request({ method: 'GET', url: '/api/conversations/agent/me', token: agent.token })).json().status === 'busy');
    // The server has it before the browser has the answer, so wait for the console too.
    const shown = await until('the console to show busy', async () => (await page.getByTestId('agent-status').getAttribute('data-status')) === 'busy' && 'busy');
    t.equal(shown, 'busy', 'the console shows busy');

    await page.locator(`[data-testid="session-item"][data-session="${mia.sessionId}"]`).click();
    await page.getByTestId('chat-transfer').click();
    await page.getByTestId('transfer-kind-group').check();
    await page.getByTestId('transfer-group').first().check();
    await screenshot(page, 'transfer-dialog');
    await page.getByTestId('transfer-submit').click();
    await page.locator('[data-testid="message-system"]', { hasText: 'transferred the conversation to the group' }).waitFor();
    t.equal(await page.getByTestId('composer-disabled').textContent(), 'This visitor is waiting. Take the conversation to reply.');

    await page.getByTestId('tab-queue').click();
    const queued = page.locator(`[data-testid="queue-item"][data-session="${mia.sessionId}"]`);
    await queued.waitFor();
    await queued.click();
    await page.getByTestId('chat-pick').click();
    await page.getByTestId('composer-input').waitFor();
    await page.getByTestId('tab-mine').click();

    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('chat-close').click();
    await page.locator('[data-testid="message-system"]', { hasText: 'The agent ended the conversation' }).waitFor();
    t.equal(await page.getByTestId('composer-disabled').textContent(), 'This conversation has ended.');
    const state = (await app.request({ method: 'GET', url: `/api/conversations/visitor/sessions/${mia.sessionId}`, token: mia.token })).json().state;
    t.equal(state, 'closed', 'the visitor sees it closed');
  });

  await t.test('history finds the session by its ID, shows it, and the CSV export contains it', async (t) => {
    await page.getByTestId('nav-history').click();
    await page.getByTestId('page-history').waitFor();
    await page.getByTestId('history-code').fill(mia.code.toLowerCase());
    await page.getByTestId('history-search').click();
    await until('one result', async () => (await page.getByTestId('history-row').count()) === 1 && (await page.getByTestId('history-row').getAttribute('data-code')) === mia.code);
    await screenshot(page, 'history');

    const downloading = page.waitForEvent('download');
    await page.getByTestId('export-button').click();
    await page.getByTestId('export-csv').click();
    const download = await downloading;
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    t.match(csv, mia.code, 'the export has the session ID');
    t.equal(csv.trim().split('\n').length, 2, 'a header and the one filtered session');
    await until('the progress to show done', async () => (await page.getByTestId('export-progress').getAttribute('data-state')) === 'done');

    await page.getByTestId('history-row').click();
    await page.getByTestId('history-detail').waitFor();
    t.equal(await page.getByTestId('detail-code').textContent(), mia.code);
    await page.locator('[data-testid="message"]', { hasText: 'It was order 1234.' }).waitFor();
    t.ok(await page.locator('[data-testid="message"][data-type="image"]').count(), 'the image is in the transcript');
    await screenshot(page, 'history-detail');
  });

  await t.test('agent mode in Chinese', async (t) => {
    await page.getByTestId('language-switch').selectOption('zh-CN');
    t.equal(await page.getByTestId('history-back').textContent().then((s) => s?.trim()), '返回历史会话');
    await page.getByTestId('nav-workbench').click();
    t.equal(await page.getByTestId('tab-mine').textContent().then((s) => s?.trim().replace(/\s*\d+$/, '')), '我的会话');
    t.match(await page.getByTestId('agent-status').textContent(), /忙碌/);
    await screenshot(page, 'workbench-zh');
    await page.getByTestId('language-switch').selectOption('en');
  });

  await t.test('a phone-sized window shows the list or the chat, without sideways scrolling', async (t) => {
    await page.setViewportSize({ width: 400, height: 780 });
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByTestId('nav-workbench').click();
    await page.getByTestId('mine-list').waitFor();
    const item = page.getByTestId('session-item').first();
    await item.click();
    await page.getByTestId('chat-pane').waitFor();
    t.notOk(await page.getByTestId('mine-list').isVisible(), 'the list gives way to the chat');
    t.ok(await page.getByTestId('composer').isVisible(), 'the composer is on screen');
    t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal overflow');
    await screenshot(page, 'workbench-phone');
    await page.getByTestId('chat-back').click();
    await page.getByTestId('mine-list').waitFor();
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await t.test('answers read before the socket connected do not undo its pushes (my status, a session assigned to me)', async (t) => {
    const bob = await app.member('shop', 'agent', 'bob@shop.test');
    // Ann is busy, so Lea waits in the queue until Bob's socket brings him online and the queue goes to him.
    const lea = await visitor(app, 'shop', 'Lea Waiting');
    await lea.send('Is anyone there?');
    const other = await newPage(browser);
    t.teardown(() => other.context.close());
    // The server answers GET /agent/me (offline) and GET /sessions/mine (empty) before the socket may
    // connect; the answers reach the page only after the socket's pushes did.
    const held = ['agent/me', 'sessions/mine'];
    const stale: Record<string, any> = {};
    let read!: () => void;
    const answersRead = new Promise<void>((r) => (read = r));
    let pushed!: () => void;
    const pushesIn = new Promise<void>((r) => (pushed = r));
    const seen = new Set<string>();
    await other.page.routeWebSocket(/\/socket\.io\//, async (ws) => {
      await answersRead;
      const server = ws.connectToServer();
      server.onMessage((msg) => {
        ws.send(msg);
        for (const event of ['"agent:state"', '"conv:session"']) if (typeof msg === 'string' && msg.includes(event)) seen.add(event);
        if (seen.size === 2) setTimeout(pushed, 300);
      });
    });
    await other.page.route(/\/api\/conversations\/(agent\/me|sessions\/mine)$/, async (route) => {
      const key = held.find((k) => route.request().url().endsWith(k))!;
      if (route.request().method() !== 'GET' || key in stale) return route.continue();
      const response = await route.fetch();
      stale[key] = await response.json();
      if (Object.keys(stale).length === held.length) read();
      await Promise.race([pushesIn, new Promise((r) => setTimeout(r, 10_000))]);
      await route.fulfill({ response, json: stale[key] });
    });
    await signIn(other.page, base, { tenant: 'shop', email: bob.email, password: bob.password });
    await other.page.getByTestId('workbench').waitFor();
    const leaItem = other.page.locator(`[data-testid="session-item"][data-session="${lea.sessionId}"]`);
    await until('the agent to be online with Lea\'s session', async () => (await other.page.getByTestId('agent-status').getAttribute('data-status')) === 'idle' && (await leaItem.count()) === 1);
    await until('both held answers to be delivered', async () => seen.size === 2);
    await new Promise((r) => setTimeout(r, 800));
    t.equal(stale['agent/me']?.status, 'offline', 'the status answer said offline');
    t.same(stale['sessions/mine']?.sessions, [], 'the list answer was empty');
    t.equal(await other.page.getByTestId('agent-status').getAttribute('data-status'), 'idle', 'the console still shows the agent available');
    t.equal(await leaItem.count(), 1, 'and lists the session the queue gave him');
    await screenshot(other.page, 'workbench-assigned-at-sign-in');
    t.same(other.errors, [], 'no script errors');
  });

  await t.test('history shows a live session as it changes, also what changed while the watch was being set up, and after a reconnect', async (t) => {
    const cat = await app.member('shop', 'agent', 'cat@shop.test');
    // Ann is busy and Bob's console has closed: a new visitor waits in the queue.
    await until('no agent to be available', async () => (await app.db.knex('conversations_agents').where({ status: 'idle' }).count({ n: '*' }))[0]!.n == 0);
    const zoe = await visitor(app, 'shop', 'Zoe Watched');
    await zoe.send('First words');
    beforeWatch = async () => {
      await zoe.send('Written while the watch was on its way');
      const picked = await app.request({ method: 'POST', url: `/api/conversations/queue/${zoe.sessionId}/pick`, token: cat.token });
      if (picked.statusCode !== 200) throw new Error(`pick: ${picked.body}`);
    };
    await page.goto(`${base}/console/agent/history/${zoe.sessionId}`);
    await page.getByTestId('history-detail').waitFor();
    const badge = page.getByTestId('history-detail').locator('header').getByTestId('state-badge');
    await until('the state to show the pick', async () => (await badge.getAttribute('data-state')) === 'active');
    t.equal(beforeWatch, null, 'the session was picked while the watch was on its way');
    t.match(await page.getByTestId('history-detail').locator('.facts').textContent(), /agent \d+/, 'the agent who took it is shown');
    const message = (text: string) => page.locator('[data-testid="message"]', { hasText: text });
    await message('Written while the watch was on its way').waitFor();
    await zoe.send('Written while watched');
    await message('Written while watched').waitFor();
    t.pass('messages written before and after the watch began are shown');

    app.kernel.realtime.namespace('agent').disconnectSockets(true);
    await until('the socket to be back', async () => page.getByTestId('agent-status').getAttribute('data-status').then((s) => s !== 'offline'));
    await new Promise((r) => setTimeout(r, 500));
    await zoe.send('Written after a reconnect');
    await message('Written after a reconnect').waitFor();
    t.pass('the watch is taken up again after a reconnect');
    await screenshot(page, 'history-live');
  });

  await t.test('a history page left before its session loaded watches nothing', async (t) => {
    const yan = await visitor(app, 'shop', 'Yan Left');
    await yan.send('Still waiting');
    let answered!: () => void;
    const answer = new Promise<void>((r) => (answered = r));
    await page.route(`**/api/conversations/sessions/${yan.sessionId}`, async (route) => {
      await new Promise((r) => setTimeout(r, 800));
      await route.continue();
      answered();
    }, { times: 1 });
    await page.goto(`${base}/console/agent/history/${yan.sessionId}`);
    await page.getByTestId('history-back').click();
    await page.getByTestId('history-filters').waitFor();
    const before = watchFrames.length;
    await answer;
    await new Promise((r) => setTimeout(r, 500));
    t.same(watchFrames.slice(before).filter((f) => f.includes(yan.sessionId)), [], 'no watch began after the page was left');
  });

  t.same(errors, [], 'no script errors');
  void tenant;
});
