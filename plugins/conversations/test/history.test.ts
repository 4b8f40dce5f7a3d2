import t from 'tap';
import AdmZip from 'adm-zip';
import { world, next, until, seedClosedSessions } from './helpers.ts';

const w = await world(t);
const tenant = await w.app.tenant('hist');
const other = await w.app.tenant('hist-other');
const agent = await w.agent('hist', { capacity: 10 });
const names = ['Zhang Wei', 'Li Na', 'zhang san', '=HYPERLINK("http://evil")', '王小明', '50%_off'];
const sessions: any[] = [];
for (const name of names) {
  const v = await w.visitor('hist', name);
  sessions.push(await w.start(v.token, { name }));
}
const foreign = await w.start((await w.visitor('hist-other', 'Zhang Foreign')).token, { name: 'Zhang Foreign' });
await w.req('POST', `/api/conversations/sessions/${sessions[1].id}/close`, agent.token);
const search = (query: string, token = tenant.adminToken) => w.req('GET', `/api/conversations/sessions?${query}`, token);

t.test('exact search by session ID', async (t) => {
  const target = sessions[2];
  const res = await search(`code=${target.code}`);
  t.equal(res.status, 200);
  t.equal(res.json.total, 1);
  t.equal(res.json.items[0].id, target.id);
  t.equal(res.json.items[0].code, target.code);
  t.equal((await search(`code=${target.code.toLowerCase()}`)).json.total, 1, 'case does not matter');
  t.equal((await search(`code=${target.code.slice(0, -1)}`)).json.total, 0, 'a partial ID finds nothing: the search is exact');
  t.equal((await search(`code=${foreign.code}`)).json.total, 0, 'another tenant\'s session ID finds nothing');
  const detail = await w.req('GET', `/api/conversations/sessions/${target.code}`, tenant.adminToken);
  t.equal(detail.json.code, target.code, 'session detail by its ID, which it contains');
});

t.test('search by visitor name, with filters and paging', async (t) => {
  const zhang = await search('visitorName=zhang');
  t.same(zhang.json.items.map((s: any) => s.visitor.name).sort(), ['Zhang Wei', 'zhang san'], 'contains, case-insensitive, this tenant only');
  t.equal((await search(`visitorName=${encodeURIComponent('小明')}`)).json.items[0].visitor.name, '王小明', 'Chinese names');
  t.equal((await search('visitorName=%25_')).json.total, 1, 'LIKE wildcards in the query match literally');
  t.equal((await search('visitorName=50%25_off')).json.items[0].visitor.name, '50%_off');
  t.same((await search('state=closed')).json.items.map((s: any) => s.visitor.name), ['Li Na']);
  t.equal((await search('state=active&state=closed')).json.total, names.length);
  t.equal((await search(`agentId=${agent.id}`)).json.total, names.length);
  const groups = await w.req('GET', '/api/conversations/skill-groups', tenant.adminToken);
  t.equal((await search(`skillGroupId=${groups.json.skillGroups[0].id}`)).json.total, names.length);
  t.equal((await search(`from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).json.total, 0, 'date range');
  t.equal((await search(`from=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).json.total, names.length);
  const page1 = await search('pageSize=4&page=1');
  const page2 = await search('pageSize=4&page=2');
  t.equal(page1.json.items.length, 4);
  t.equal(page2.json.items.length, names.length - 4);
  t.equal(new Set([...page1.json.items, ...page2.json.items].map((s: any) => s.id)).size, names.length, 'pages do not overlap');
  t.same(page1.json.items.map((s: any) => s.visitor.name).slice(0, 2), ['50%_off', '王小明'], 'newest first');

  t.equal((await search('from=yesterday')).json.code, 'VALIDATION_FAILED');
  t.equal((await search('state=open')).json.code, 'VALIDATION_FAILED');
  t.equal((await search('pageSize=1000')).json.code, 'VALIDATION_FAILED');
  t.equal((await search('agentId=1;drop table x')).json.code, 'VALIDATION_FAILED');
  const range = await search(`from=${encodeURIComponent(new Date().toISOString())}&to=${encodeURIComponent(new Date(Date.now() - 86400_000).toISOString())}`);
  t.equal(range.json.code, 'INVALID_RANGE');
  const mine = await w.req('GET', '/api/conversations/sessions/mine?q=ZHANG', agent.token);
  t.same(mine.json.sessions.map((s: any) => s.visitor.name).sort(), ['Zhang Wei', 'zhang san'], 'my sessions filter by visitor name too');
});

async function runExport(format: 'csv' | 'xlsx', filters: Record<string, unknown>) {
  const created = await w.req('POST', '/api/conversations/exports', tenant.adminToken, { format, filters });
  if (created.status !== 202) throw new Error(created.body);
  let job = created.json;
  await until(async () => {
    job = (await w.req('GET', `/api/conversations/exports/${created.json.id}`, tenant.adminToken)).json;
    return job.state !== 'running';
  }, 20_000);
  const file = await w.app.request({ method: 'GET', url: `/api/conversations/exports/${created.json.id}/download`, token: tenant.adminToken });
  return { created: created.json, job, file };
}

t.test('export to CSV: one row per filtered session, each with its session ID', async (t) => {
  const admin = await w.socket('agent', tenant.adminToken);
  const progress = next(admin, 'export:progress', (e: any) => e.state === 'done', 20_000);
  const { created, job, file } = await runExport('csv', { visitorName: 'zhang' });
  t.match(created, { state: 'running', total: 2, format: 'csv' });
  t.match(job, { state: 'done', total: 2, processed: 2, progress: 1 });
  t.equal((await progress).id, created.id, 'progress is pushed to the member who exports');
  t.equal(file.statusCode, 200);
  t.match(file.headers['content-type'], /^text\/csv/);
  t.match(file.headers['content-disposition'], /^attachment; filename="sessions-\d+\.csv"$/);
  const text = file.body.replace(/^\uFEFF/, '');
  const lines = text.trim().split('\r\n');
  t.equal(lines[0].split(',')[0], 'Session ID');
  t.equal(lines.length, 3, 'header and two sessions');
  for (const name of ['Zhang Wei', 'zhang san']) {
    const s = sessions[names.indexOf(name)];
    t.ok(lines.some((l) => l.startsWith(`${s.code},`) && l.includes(name)), `${name}'s row starts with the session ID`);
  }
  t.notOk(text.includes(sessions[1].code), 'sessions outside the filter are not exported');

  const injection = await runExport('csv', { visitorName: 'hyperlink' });
  t.match(injection.file.body, /,"'=HYPERLINK\(""http:\/\/evil""\)",/, 'a cell that would run as a formula is defused');
  const notMine = await w.req('GET', `/api/conversations/exports/${created.id}`, (await w.app.member('hist', 'admin')).token);
  t.equal(notMine.json.code, 'EXPORT_NOT_FOUND', 'an export belongs to who started it');
  t.equal((await w.req('GET', `/api/conversations/exports/${created.id}`, other.adminToken)).status, 404);
  const agentRole = await w.req('POST', '/api/conversations/exports', agent.token, { format: 'csv' });
  t.equal(agentRole.status, 202, 'agents may export by default');
  await until(async () => (await w.req('GET', `/api/conversations/exports/${agentRole.json.id}`, agent.token)).json.state === 'done', 20_000);
  t.equal((await w.req('POST', '/api/conversations/exports', agent.token, { format: 'pdf' })).json.code, 'VALIDATION_FAILED');
});

t.test('export to XLSX: a valid workbook whose sheet has the session IDs', async (t) => {
  const { job, file } = await runExport('xlsx', {});
  t.match(job, { state: 'done', total: names.length });
  t.equal(file.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const zip = new AdmZip(file.rawPayload);
  const entries = zip.getEntries().map((e) => e.entryName).sort();
  t.same(entries, ['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml']);
  const sheet = zip.readAsText('xl/worksheets/sheet1.xml');
  t.match(sheet, /<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve">Session ID<\/t>/);
  for (const s of sessions) t.ok(sheet.includes(`<t xml:space="preserve">${s.code}</t>`), `${s.code} is in the sheet`);
  t.ok(sheet.includes('王小明'), 'UTF-8 text survives');
  t.ok(sheet.includes('=HYPERLINK(&quot;http://evil&quot;)'), 'text is escaped XML, stored as a string, never a formula');
  t.equal((sheet.match(/<row /g) ?? []).length, names.length + 1, 'header and one row per session');
  t.notOk(sheet.includes(foreign.code), 'nothing from another tenant');
});

t.test('a search counts to 10,000 and pages no further; the visitor-name search has its index; an export holds 100,000 at most', async (t) => {
  const bigAdmin = (await w.app.tenant('hist-big')).adminToken;
  const big = await w.start((await w.visitor('hist-big', 'First Visitor')).token, { name: 'First Visitor' });
  const knex = w.app.db.knex;
  await seedClosedSessions(knex, big.id, 10_005);
  const { tenant_id } = await knex('conversations_sessions').where({ id: big.id }).first('tenant_id');
  await knex.raw('analyze conversations_sessions');
  const all = await search('pageSize=20', bigAdmin);
  t.match(all.json, { total: 10_000, totalCapped: true, page: 1, pageSize: 20 }, 'more than 10,000 match: the total says so without counting them all');
  t.equal(all.json.items[0].id, big.id, 'still newest first');
  const few = await search('visitorName=visitor%201000', bigAdmin);
  t.match(few.json, { total: 7, totalCapped: false }, 'exact below the cap (1000, 10000-10005)');
  const lastPage = await search('pageSize=20&page=500', bigAdmin);
  t.equal(lastPage.json.items.length, 20, 'the page holding the 10,000th session is served');
  const tooDeep = await search('pageSize=20&page=501', bigAdmin);
  t.equal(tooDeep.status, 400);
  t.equal(tooDeep.json.code, 'PAGE_TOO_DEEP');
  t.match(tooDeep.json.message, /narrow the search/);
  t.equal((await search('state=closed', tenant.adminToken)).json.totalCapped, false, 'other tenants count their own');

  // Short of a table scan (the cheapest plan at this size), the plan takes the trigram index: it
  // exists and matches the expression the searches use, on PGlite and PostgreSQL alike.
  const plan = await knex.transaction(async (trx) => {
    await trx.raw('set local enable_seqscan = off');
    const { rows } = await trx.raw(`explain select id from conversations_sessions as s where s.tenant_id = ? and lower(s.visitor_name) like ? escape '\\'`, [tenant_id, '%visitor 123%']);
    return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
  });
  t.match(plan, /conversations_sessions_visitor_name_trgm/);

  // 100,006 sessions in all: one export may hold 100,000.
  await seedClosedSessions(knex, big.id, 90_000, 10_006);
  const exportsBefore = await knex('conversations_exports').where({ tenant_id }).count({ n: '*' });
  const tooLarge = await w.req('POST', '/api/conversations/exports', bigAdmin, { format: 'csv', filters: {} });
  t.equal(tooLarge.status, 400);
  t.equal(tooLarge.json.code, 'EXPORT_TOO_LARGE', 'more than 100,000 matching sessions are refused');
  t.match(tooLarge.json.message, /narrow the filters/);
  t.same(await knex('conversations_exports').where({ tenant_id }).count({ n: '*' }), exportsBefore, 'and no export is started');
  const narrowed = await w.req('POST', '/api/conversations/exports', bigAdmin, { format: 'csv', filters: { visitorName: 'visitor 100005' } });
  t.equal(narrowed.status, 202, 'narrowed, the export starts');
  t.equal(narrowed.json.total, 1, 'the last session seeded');
  await until(async () => (await w.req('GET', `/api/conversations/exports/${narrowed.json.id}`, bigAdmin)).json.state === 'done', 20_000);
});
