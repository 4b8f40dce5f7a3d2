import t from 'tap';
import sharp from 'sharp';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { RANK_CANDIDATES } from '../src/entries/entry-service.ts';

const KB = '/api/knowledge-base';

function multipart(field: string, filename: string, data: Buffer, type = 'application/octet-stream') {
  const boundary = '----parleytest' + Math.random().toString(16).slice(2);
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

// One app for the file (starting one costs seconds); each test works in tenants of its own.
const appPromise = createTestApp(t);
let n = 0;
async function setup(_t: unknown) {
  const app = await appPromise;
  const slug = `kb-${++n}`;
  const a = await app.tenant(slug);
  const agent = await app.member(slug, 'agent');
  return { app, a, agent };
}

async function entry(app: TestApp, token: string, body: Record<string, unknown>) {
  const res = await app.request({ method: 'POST', url: `${KB}/entries`, token, body: { status: 'published', ...body } });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json();
}

t.test('admins edit, agents read published entries only', async (t) => {
  const { app, a, agent } = await setup(t);
  const cat = await app.request({ method: 'POST', url: `${KB}/categories`, token: a.adminToken, body: { name: 'Billing' } });
  t.equal(cat.statusCode, 201);
  const sub = await app.request({ method: 'POST', url: `${KB}/categories`, token: a.adminToken, body: { name: 'Refunds', parentId: cat.json().id } });
  t.equal(sub.statusCode, 201);
  const tree = await app.request({ method: 'GET', url: `${KB}/categories`, token: agent.token });
  t.equal(tree.json().tree[0].children[0].name, 'Refunds', 'agents see the nested tree');

  const pub = await entry(app, a.adminToken, { title: 'Refund policy', content: '<p>Money back in 7 days</p>', categoryId: sub.json().id });
  const draft = await entry(app, a.adminToken, { title: 'Secret draft', content: 'not yet', status: 'draft', categoryId: sub.json().id });
  const list = await app.request({ method: 'GET', url: `${KB}/entries?categoryId=${sub.json().id}`, token: agent.token });
  t.same(list.json().items.map((e: { title: string }) => e.title), ['Refund policy'], 'agents do not see drafts');
  t.equal((await app.request({ method: 'GET', url: `${KB}/entries/${draft.id}`, token: agent.token })).statusCode, 404);
  t.equal((await app.request({ method: 'GET', url: `${KB}/entries/${pub.id}`, token: agent.token })).json().title, 'Refund policy');

  const denied = await app.request({ method: 'POST', url: `${KB}/entries`, token: agent.token, body: { title: 'x', content: 'y' } });
  t.equal(denied.statusCode, 403);
  t.equal(denied.json().code, 'PERMISSION_DENIED');
  t.equal((await app.request({ method: 'PATCH', url: `${KB}/entries/${pub.id}`, token: agent.token, body: { title: 'x' } })).statusCode, 403);
  t.equal((await app.request({ method: 'DELETE', url: `${KB}/entries/${pub.id}`, token: agent.token })).statusCode, 403);

  const reordered = await app.request({ method: 'PUT', url: `${KB}/entries-order`, token: a.adminToken, body: { ids: [draft.id, pub.id] } });
  t.equal(reordered.statusCode, 200);
  const adminList = await app.request({ method: 'GET', url: `${KB}/entries?categoryId=${sub.json().id}`, token: a.adminToken });
  t.same(adminList.json().items.map((e: { id: string }) => e.id), [draft.id, pub.id], 'editors see drafts, in the new order');

  const cycle = await app.request({ method: 'PATCH', url: `${KB}/categories/${cat.json().id}`, token: a.adminToken, body: { parentId: sub.json().id } });
  t.equal(cycle.json().code, 'CATEGORY_CYCLE');
});

t.test('rich content is sanitised on the server', async (t) => {
  const { app, a } = await setup(t);
  const e = await entry(app, a.adminToken, {
    title: '<img src=x onerror=alert(1)>Title',
    content: '<p onclick="steal()">Hello<script>alert(document.cookie)</script> <a href="javascript:alert(1)">bad</a> <a href="https://example.com">good</a><img src="https://example.com/a.png" onerror="alert(1)"><iframe src="https://evil"></iframe><style>body{display:none}</style></p>',
  });
  t.notMatch(e.contentHtml, /script|onclick|onerror|javascript:|iframe|<style/i, 'no scripts, handlers, javascript: URLs, frames or styles');
  t.match(e.contentHtml, /href="https:\/\/example.com"/);
  t.match(e.contentHtml, /rel="noopener noreferrer nofollow"/);
  t.equal(e.title, '<img src=x onerror=alert(1)>Title', 'titles are plain text, returned as given inside JSON');
  t.notMatch(e.contentText, /alert/, 'script text is not searchable content');
});

t.test('search finds Chinese words of one or two characters, sentences and English, ranked and highlighted', async (t) => {
  const { app, a, agent } = await setup(t);
  const long = '欢迎使用我们的客服系统。' + '这是一段很长的说明文字，用来介绍各种功能。'.repeat(30) + '如果您需要退款，请在订单页面提交申请，我们会在三个工作日内处理。' + '其他内容。'.repeat(30);
  const refund = await entry(app, a.adminToken, { title: '售后服务说明', content: long });
  const invoice = await entry(app, a.adminToken, { title: '如何申请发票', content: '在订单支付后九十天内，管理员可以申请增值税普通发票。' });
  const password = await entry(app, a.adminToken, { title: 'Reset a password', content: 'Agents can reset their passwords from the login page. 客服可以在登录页重置密码。' });
  await entry(app, a.adminToken, { title: '草稿：退款新规', content: '退款 退款 退款', status: 'draft' });

  const search = async (q: string, token = agent.token) => {
    const res = await app.request({ method: 'GET', url: `${KB}/search?q=${encodeURIComponent(q)}`, token });
    t.equal(res.statusCode, 200, `search "${q}"`);
    return res.json().items as Array<{ id: string; titleHtml: string; snippetHtml: string; rank: number }>;
  };

  const twoChars = await search('退款');
  t.same(twoChars.map((h) => h.id), [refund.id], 'a two-character word inside a long entry is found; drafts are not');
  t.match(twoChars[0]!.snippetHtml, '<mark>退款</mark>', 'the match is highlighted in the snippet');

  const oneChar = await search('票');
  t.same(oneChar.map((h) => h.id), [invoice.id], 'a single character finds the entry containing it');

  const sentence = await search('我想知道怎么申请发票');
  t.equal(sentence[0]?.id, invoice.id, 'a whole sentence ranks the best entry first');

  const english = await search('passwords');
  t.same(english.map((h) => h.id), [password.id], 'English is stemmed: "passwords" finds "password"');
  t.match(english[0]!.titleHtml, '<mark>password</mark>');
  const prefix = await search('passw');
  t.same(prefix.map((h) => h.id), [password.id], 'the last English word matches as a prefix while typing');

  const mixed = await search('reset 密码');
  t.same(mixed.map((h) => h.id), [password.id], 'mixed Chinese and English');

  t.same(await search('完全无关的词语'), [], 'nothing found is an empty list');
  const drafts = await search('退款新规', a.adminToken);
  t.ok(drafts.some((h) => h.titleHtml.includes('草稿')), 'editors also search drafts');
  const xss = await search('<script>');
  t.same(xss, [], 'markup in a query is just text');
});

t.test('short queries list title matches first; a term in very many entries ranks a bounded, stable set', async (t) => {
  const { app, a, agent } = await setup(t);
  const search = async (q: string, limit = 10) => {
    const res = await app.request({ method: 'GET', url: `${KB}/search?q=${encodeURIComponent(q)}&limit=${limit}`, token: agent.token });
    t.equal(res.statusCode, 200, `search "${q}"`);
    return res.json().items as Array<{ id: string; title: string; titleHtml: string }>;
  };

  // Both words many times, side by side, in the text outrank one mention in a title by ts_rank alone.
  const inText = await entry(app, a.adminToken, { title: '常见问题', content: '退货运费怎么算？'.repeat(20) });
  const inTitle = await entry(app, a.adminToken, { title: '退货的运费说明', content: '请查看下面的规则。' });
  t.same((await search('退货 运费')).map((h) => h.id), [inTitle.id, inText.id], 'the entry whose title has every word comes first');
  const sentence = await search('我想知道退货运费怎么算');
  t.same(sentence.map((h) => h.id).sort(), [inTitle.id, inText.id].sort(), 'a sentence finds both, ranked by coverage');

  // More title matches than are ranked, and one entry that has the word only in its text.
  const rows = Array.from({ length: RANK_CANDIDATES + 20 }, (_, i) => `,物流查询 ${i},<p>第${i}条</p>,published,${i}`);
  const csv = ['category,title,content,status,position', ...rows].join('\n');
  const up = multipart('file', 'many.csv', Buffer.from(csv, 'utf8'), 'text/csv');
  const imported = await app.request({ method: 'POST', url: `${KB}/import`, token: a.adminToken, body: up.body, headers: up.headers });
  t.equal(imported.json().imported, RANK_CANDIDATES + 20);
  const textOnly = await entry(app, a.adminToken, { title: '发货时间', content: '物流信息会在发货后更新。' });

  const first = await search('物流', 50);
  t.equal(first.length, 50, 'a full page');
  t.ok(first.every((h) => h.titleHtml.includes('<mark>物流</mark>')), 'all of them title matches');
  t.notOk(first.some((h) => h.id === textOnly.id), 'the text-only match does not push out a title match');
  t.same((await search('物流', 50)).map((h) => h.id), first.map((h) => h.id), 'the same query gives the same page again');
  const rare = await search('发货时间');
  t.same(rare.map((h) => h.id), [textOnly.id], 'an entry whose title matches nothing else is still found');
  const anywhere = await search('物流信息');
  t.same(anywhere.map((h) => h.id), [textOnly.id], 'text matches fill the page when titles do not');
});

t.test('import reports failed rows and stores the rest; export round-trips', async (t) => {
  const { app, a } = await setup(t);
  const csv = [
    'category,title,content,status,position',
    'Billing/Refunds,退款流程,"<p>七天内可退款</p><script>x()</script>",published,1',
    'Billing,,no title,published,0',
    'Billing,Bad status,content,archived,0',
    'Billing,Bad position,content,published,first',
    'Accounts,"Reset, password","Use the ""forgot"" link",draft,2',
  ].join('\n');
  const up = multipart('file', 'kb.csv', Buffer.from(csv, 'utf8'), 'text/csv');
  const res = await app.request({ method: 'POST', url: `${KB}/import`, token: a.adminToken, body: up.body, headers: up.headers });
  t.equal(res.statusCode, 200);
  t.equal(res.json().imported, 2);
  t.same(res.json().failed.map((f: { row: number; code: string }) => [f.row, f.code]), [[3, 'TITLE_REQUIRED'], [4, 'INVALID_STATUS'], [5, 'INVALID_POSITION']]);

  const tree = (await app.request({ method: 'GET', url: `${KB}/categories`, token: a.adminToken })).json().tree;
  t.same(tree.map((c: { name: string }) => c.name).sort(), ['Accounts', 'Billing']);
  t.equal(tree.find((c: { name: string }) => c.name === 'Billing').children[0].name, 'Refunds', 'category paths create nested categories');

  const exported = await app.request({ method: 'GET', url: `${KB}/export.csv`, token: a.adminToken });
  t.equal(exported.statusCode, 200);
  t.match(exported.headers['content-type'], /text\/csv/);
  t.ok(exported.body.startsWith('\uFEFF'), 'UTF-8 BOM for spreadsheets');
  t.match(exported.body, 'Billing/Refunds');
  t.match(exported.body, '"Reset, password"');
  t.notMatch(exported.body, '<script>', 'imported content was sanitised');

  const broken = multipart('file', 'kb.csv', Buffer.from('title\n"unterminated', 'utf8'));
  const bad = await app.request({ method: 'POST', url: `${KB}/import`, token: a.adminToken, body: broken.body, headers: broken.headers });
  t.equal(bad.json().imported, 0);
  t.ok(['CSV_UNREADABLE', 'CSV_COLUMNS_MISSING'].includes(bad.json().failed[0].code));

  const again = multipart('file', 'kb.csv', Buffer.from(exported.body, 'utf8'));
  const round = await app.request({ method: 'POST', url: `${KB}/import`, token: a.adminToken, body: again.body, headers: again.headers });
  t.same(round.json(), { imported: 2, failed: [] }, 'an export imports again without failures');
});

t.test('attachments follow the upload rules and stay in their tenant', async (t) => {
  const { app, a, agent } = await setup(t);
  const b = await app.tenant('kb-other');
  const e = await entry(app, a.adminToken, { title: 'With picture', content: 'see attachment' });
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0a0' } }).png().toBuffer();
  const up = multipart('file', 'pic.png', png, 'image/png');
  const res = await app.request({ method: 'POST', url: `${KB}/entries/${e.id}/attachments`, token: a.adminToken, body: up.body, headers: up.headers });
  t.equal(res.statusCode, 201);
  const fileId = res.json().id;
  const dl = await app.request({ method: 'GET', url: `${KB}/entries/${e.id}/attachments/${fileId}`, token: agent.token });
  t.equal(dl.statusCode, 200);
  t.equal(dl.headers['content-type'], 'image/png');
  t.equal(dl.headers['x-content-type-options'], 'nosniff');

  const exe = multipart('file', 'pic.png', Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04]));
  const refused = await app.request({ method: 'POST', url: `${KB}/entries/${e.id}/attachments`, token: a.adminToken, body: exe.body, headers: exe.headers });
  t.equal(refused.statusCode, 415);
  t.equal(refused.json().code, 'FILE_TYPE_NOT_ALLOWED');

  t.equal((await app.request({ method: 'GET', url: `${KB}/entries/${e.id}`, token: b.adminToken })).statusCode, 404, "another tenant cannot read the entry");
  t.equal((await app.request({ method: 'GET', url: `${KB}/entries/${e.id}/attachments/${fileId}`, token: b.adminToken })).statusCode, 404, "nor its attachment");
  t.equal((await app.request({ method: 'PATCH', url: `${KB}/entries/${e.id}`, token: b.adminToken, body: { title: 'hijack' } })).statusCode, 404);
  t.equal((await app.request({ method: 'GET', url: `${KB}/entries/${e.id}`, token: a.adminToken })).json().title, 'With picture', 'unchanged');
  const bSearch = await app.request({ method: 'GET', url: `${KB}/search?q=picture`, token: b.adminToken });
  t.same(bSearch.json().items, [], "search never crosses tenants");
});
