/**
 * The pack API through HTTP on a flagship tenant (custom emoji included): the product's limits at
 * their edges (5 and 6 packs; 50 and 51 emoji; 50 KB and 50 KB + 1 byte; GIF 100 KB and + 1),
 * results in the uploader's language, naming, rename, reorder, delete, serving the images, and
 * another tenant's ids.
 */
import t from 'tap';
import sharp from 'sharp';
import { createTestApp } from '../../../test/helpers/app.ts';
import { MAX_GIF_BYTES, MAX_STATIC_IMAGE_BYTES } from '../src/limits.ts';
import { animatedGif, buildZip, gif, imageEntries, jpeg, padGifTo, padJpegTo, padPngTo, png } from './fixtures.ts';
import { storage, uploadPack, validZip } from './http-helpers.ts';

const app = await createTestApp(t);
const acme = await app.tenant('acme', { edition: 'flagship' });
const other = await app.tenant('other', { edition: 'flagship' });
const admin = acme.adminToken;
const get = (url: string, token = admin, headers: Record<string, string> = {}) => app.request({ method: 'GET', url, token, headers });

t.test('50 emoji are accepted, 51 are refused as a whole', async (t) => {
  const before = await storage(app);
  const entries = await imageEntries(51);

  const fifty = await uploadPack(app, admin, buildZip(entries.slice(0, 50)), { name: 'Fifty' });
  t.equal(fifty.statusCode, 201, fifty.body);
  t.equal(fifty.json().pack.emoji.length, 50);
  t.same(fifty.json().warnings, [], 'a pack of 200×200 images with clean names has no warnings');
  const afterFifty = await storage(app);
  t.same(afterFifty, { packs: before.packs + 1, emoji: before.emoji + 50, files: before.files + 100 }, 'an original and a thumbnail per emoji');

  const fiftyOne = await uploadPack(app, admin, buildZip(entries), { name: 'Fifty-one' });
  t.equal(fiftyOne.statusCode, 422);
  t.equal(fiftyOne.json().code, 'PACK_INVALID');
  t.same(fiftyOne.json().errors.map((e: { code: string }) => e.code), ['TOO_MANY_ENTRIES']);
  t.match(fiftyOne.json().errors[0].message, /at most 50 emoji/);
  t.same(await storage(app), afterFifty, 'nothing of the refused pack is stored');

  t.equal((await app.request({ method: 'DELETE', url: `/api/custom-emoji/packs/${fifty.json().pack.id}`, token: admin })).statusCode, 200);
});

t.test('PNG and JPEG of exactly 50 KB pass; 50 KB + 1 byte are refused, each file named', async (t) => {
  const atLimit = [
    { name: 'png-edge.png', data: padPngTo(await png(200, 200, 1), MAX_STATIC_IMAGE_BYTES) },
    { name: 'jpeg-edge.jpg', data: padJpegTo(await jpeg(200, 200, 2), MAX_STATIC_IMAGE_BYTES) },
    { name: 'gif-edge.gif', data: padGifTo(await gif(200, 200, 3), MAX_GIF_BYTES) },
  ];
  const ok = await uploadPack(app, admin, buildZip(atLimit), { name: 'Edges' });
  t.equal(ok.statusCode, 201, ok.body);
  t.same(ok.json().pack.emoji.map((e: { name: string; size: number; format: string }) => [e.name, e.size, e.format]), [
    ['gif-edge', MAX_GIF_BYTES, 'gif'],
    ['jpeg-edge', MAX_STATIC_IMAGE_BYTES, 'jpeg'],
    ['png-edge', MAX_STATIC_IMAGE_BYTES, 'png'],
  ], 'stored at their exact sizes, in name order');

  const before = await storage(app);
  const overLimit = [
    { name: 'fine.png', data: await png(200, 200, 4) },
    { name: 'png-over.png', data: padPngTo(await png(200, 200, 5), MAX_STATIC_IMAGE_BYTES + 1) },
    { name: 'jpeg-over.jpeg', data: padJpegTo(await jpeg(200, 200, 6), MAX_STATIC_IMAGE_BYTES + 1) },
    { name: 'gif-over.gif', data: padGifTo(await gif(200, 200, 7), MAX_GIF_BYTES + 1) },
  ];
  const refused = await uploadPack(app, admin, buildZip(overLimit), { name: 'Too big' });
  t.equal(refused.statusCode, 422);
  t.same(
    refused.json().errors.map((e: { file: string; code: string }) => [e.file, e.code]),
    [['png-over.png', 'IMAGE_TOO_LARGE'], ['jpeg-over.jpeg', 'IMAGE_TOO_LARGE'], ['gif-over.gif', 'IMAGE_TOO_LARGE']],
    'every rejected file is named; the good one is not',
  );
  t.match(refused.json().errors[0].message, /51,200 bytes/);
  t.match(refused.json().errors[2].message, /102,400 bytes/);
  t.match(refused.json().message, /3 files cannot be used\. Nothing was saved/);
  t.same(await storage(app), before, 'nothing stored, not even the good image');

  t.equal((await app.request({ method: 'DELETE', url: `/api/custom-emoji/packs/${ok.json().pack.id}`, token: admin })).statusCode, 200);
});

t.test('the result is in the uploader\'s language', async (t) => {
  const zip = buildZip([{ name: '坏.png', data: Buffer.from('not an image') }, { name: 'notes.txt', data: Buffer.from('hi') }]);
  const zh = await uploadPack(app, admin, zip, { name: '中文', language: 'zh-CN,zh;q=0.9,en;q=0.8' });
  t.equal(zh.statusCode, 422);
  t.same(zh.json().errors.map((e: { file: string; code: string }) => [e.file, e.code]), [['notes.txt', 'UNSUPPORTED_TYPE'], ['坏.png', 'TYPE_MISMATCH']], 'checks by name come before image checks');
  t.equal(zh.json().errors[0].message, '仅支持 PNG、JPEG 和 GIF 图片（.png、.jpg、.jpeg、.gif）。');
  t.equal(zh.json().errors[1].message, '文件内容与扩展名不符，不是有效的 PNG 图片。');
  t.equal(zh.json().message, '有 2 个文件不符合要求。表情包未保存，请修改后重新上传。');

  const en = await uploadPack(app, admin, zip, { name: 'English', language: 'fr-FR, en;q=0.5, zh;q=0.1' });
  t.equal(en.json().errors[1].message, 'The file content is not the PNG image its name says it is.');
  const none = await uploadPack(app, admin, zip, { name: 'Default' });
  t.match(none.json().errors[0].message, /^Only PNG, JPEG and GIF/, 'English without Accept-Language');

  const full = await uploadPack(app, admin, Buffer.from('plain text, not a zip'), { language: 'zh-CN' });
  t.same(full.json().errors, [{ file: null, code: 'NOT_A_ZIP', message: '该文件不是 zip 压缩包，请以 .zip 文件上传表情包。' }]);
  t.equal(full.json().message, '该文件不是 zip 压缩包，请以 .zip 文件上传表情包。表情包未保存，请修改后重新上传。');
});

t.test('warnings of an accepted pack: size and sanitised names', async (t) => {
  const res = await uploadPack(app, admin, buildZip([{ name: 'Big Smile!.png', data: await png(120, 80, 9) }]), { name: 'Warned', language: 'en' });
  t.equal(res.statusCode, 201);
  t.same(res.json().warnings.map((w: { file: string; emoji: string; code: string }) => [w.file, w.emoji, w.code]), [
    ['Big Smile!.png', 'big_smile', 'NOT_SUGGESTED_SIZE'],
    ['Big Smile!.png', 'big_smile', 'NAME_SANITISED'],
  ]);
  await app.request({ method: 'DELETE', url: `/api/custom-emoji/packs/${res.json().pack.id}`, token: admin });
});

t.test('5 packs are accepted, the 6th is refused with PACK_LIMIT_REACHED; deleting makes room', async (t) => {
  const zip = await validZip(2);
  const ids: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const res = await uploadPack(app, admin, zip, { name: `Pack ${i}` });
    t.equal(res.statusCode, 201, `pack ${i}`);
    ids.push(res.json().pack.id);
  }
  const before = await storage(app);
  const sixth = await uploadPack(app, admin, zip, { name: 'Pack 6' });
  t.equal(sixth.statusCode, 409);
  t.equal(sixth.json().code, 'PACK_LIMIT_REACHED');
  t.match(sixth.json().message, /at most 5 emoji packs/);
  const sixthZh = await uploadPack(app, admin, zip, { name: 'Pack 6', language: 'zh-CN' });
  t.equal(sixthZh.json().message, '每个企业最多 5 个表情包，请先删除一个再上传。');
  t.same(await storage(app), before, 'nothing stored');

  const list = await get('/api/custom-emoji/packs');
  t.same(list.json().packs.map((p: { name: string; position: number }) => [p.name, p.position]), [['Pack 1', 0], ['Pack 2', 1], ['Pack 3', 2], ['Pack 4', 3], ['Pack 5', 4]]);
  t.same(list.json().limits.maxPacks, 5);

  t.equal((await app.request({ method: 'DELETE', url: `/api/custom-emoji/packs/${ids[1]}`, token: admin })).statusCode, 200);
  const afterDelete = await get('/api/custom-emoji/packs');
  t.same(afterDelete.json().packs.map((p: { name: string; position: number }) => [p.name, p.position]), [['Pack 1', 0], ['Pack 3', 1], ['Pack 4', 2], ['Pack 5', 3]], 'positions close the gap');
  const again = await uploadPack(app, admin, zip, { name: 'Pack 2' });
  t.equal(again.statusCode, 201, 'a deleted pack frees its slot and its name');
  ids[1] = again.json().pack.id;
  t.equal(again.json().pack.position, 4, 'a new pack goes last');

  await t.test('reorder: every pack once', async (t) => {
    const order = [ids[4], ids[0], ids[1], ids[3], ids[2]] as string[];
    const res = await app.request({ method: 'PUT', url: '/api/custom-emoji/packs/order', token: admin, body: { ids: order } });
    t.equal(res.statusCode, 200, res.body);
    t.same(res.json().packs.map((p: { id: string }) => p.id), order);
    for (const bad of [order.slice(1), [...order, order[0]], [...order.slice(1), order[1]], [...order.slice(1), other.id]]) {
      const refused = await app.request({ method: 'PUT', url: '/api/custom-emoji/packs/order', token: admin, body: { ids: bad } });
      t.equal(refused.json().code, 'PACK_ORDER_MISMATCH');
    }
    t.same((await get('/api/custom-emoji/packs')).json().packs.map((p: { id: string }) => p.id), order, 'a refused order changes nothing');
  });

  await t.test('rename, with names checked', async (t) => {
    const res = await app.request({ method: 'PATCH', url: `/api/custom-emoji/packs/${ids[0]}`, token: admin, body: { name: '  Cats 🐱  ' } });
    t.equal(res.statusCode, 200);
    t.equal(res.json().name, 'Cats 🐱', 'trimmed');
    const taken = await app.request({ method: 'PATCH', url: `/api/custom-emoji/packs/${ids[2]}`, token: admin, body: { name: 'cats 🐱' } });
    t.same([taken.statusCode, taken.json().code, taken.json().field], [409, 'PACK_NAME_TAKEN', 'name'], 'names are unique, ignoring case');
    for (const name of ['', '   ', 'x'.repeat(41), 'bad\u0000name', 'evil\u202Eoverride']) {
      const bad = await app.request({ method: 'PATCH', url: `/api/custom-emoji/packs/${ids[2]}`, token: admin, body: { name } });
      t.equal(bad.json().code, 'PACK_NAME_INVALID', JSON.stringify(name));
    }
    const xss = '<img src=x onerror=alert(1)>';
    const stored = await app.request({ method: 'PATCH', url: `/api/custom-emoji/packs/${ids[2]}`, token: admin, body: { name: xss } });
    t.equal(stored.json().name, xss, 'markup is kept as plain text (clients render names as text)');
  });

  for (const id of ids) await app.request({ method: 'DELETE', url: `/api/custom-emoji/packs/${id}`, token: admin });
  t.same((await get('/api/custom-emoji/packs')).json().packs, []);
});

t.test('the pack name defaults to the zip\'s file name', async (t) => {
  const res = await uploadPack(app, admin, await validZip(1), { filename: 'Office Cats.zip' });
  t.equal(res.json().pack.name, 'Office Cats');
  const dup = await uploadPack(app, admin, await validZip(1), { name: 'office cats', language: 'zh-CN' });
  t.same([dup.statusCode, dup.json().code, dup.json().message], [409, 'PACK_NAME_TAKEN', '已有名为“office cats”的表情包。']);
  await app.request({ method: 'DELETE', url: `/api/custom-emoji/packs/${res.json().pack.id}`, token: admin });
});

t.test('images: correct types, immutable caching, animated GIFs stay animated', async (t) => {
  const animated = await animatedGif(3, 100, 100);
  const res = await uploadPack(app, admin, buildZip([
    { name: 'dance.gif', data: animated },
    { name: 'photo.jpg', data: await jpeg(200, 200, 1) },
    { name: 'wave.png', data: await png(200, 200, 2) },
  ]), { name: 'Media' });
  t.equal(res.statusCode, 201);
  const [dance, photo, wave] = res.json().pack.emoji;
  t.same([dance.name, dance.animated, photo.animated, wave.animated], ['dance', true, false, false]);
  t.match(dance.url, /^\/api\/custom-emoji\/public\/acme\/emoji\/[0-9a-f-]{36}$/);

  for (const [emoji, type] of [[dance, 'image/gif'], [photo, 'image/jpeg'], [wave, 'image/png']] as const) {
    const img = await get(emoji.url, undefined);
    t.equal(img.statusCode, 200);
    t.equal(img.headers['content-type'], type, `${emoji.name} is ${type}`);
    t.equal(img.headers['cache-control'], 'public, max-age=31536000, immutable');
    t.equal(img.headers['x-content-type-options'], 'nosniff');
    const thumb = await get(emoji.thumbUrl, undefined);
    t.equal(thumb.headers['content-type'], 'image/webp');
    const meta = await sharp(thumb.rawPayload, { animated: true }).metadata();
    t.ok(Math.max(meta.width!, meta.pageHeight ?? meta.height!) <= 64, 'the thumbnail is at most 64 px');
    if (emoji === dance) t.equal(meta.pages, 3, 'the animated thumbnail keeps its frames');
  }
  const original = await get(dance.url, undefined);
  t.same(Buffer.compare(original.rawPayload, animated), 0, 'the GIF is served byte for byte as uploaded');
  t.equal((await sharp(original.rawPayload, { animated: true }).metadata()).pages, 3);

  const again = await get(dance.url, undefined, { 'if-none-match': String(original.headers.etag) });
  t.equal(again.statusCode, 304, 'revalidation needs no bytes');

  await t.test('another tenant cannot see or use them', async (t) => {
    t.equal((await get(dance.url.replace('/acme/', '/other/'), undefined)).json().code, 'EMOJI_NOT_FOUND');
    const id = res.json().pack.id;
    for (const req of [
      { method: 'GET', url: `/api/custom-emoji/packs/${id}` },
      { method: 'PATCH', url: `/api/custom-emoji/packs/${id}`, body: { name: 'Stolen' } },
      { method: 'DELETE', url: `/api/custom-emoji/packs/${id}` },
    ]) {
      const r = await app.request({ ...req, token: other.adminToken });
      t.same([r.statusCode, r.json().code], [404, 'PACK_NOT_FOUND'], `${req.method} another tenant's pack`);
    }
    t.same((await get('/api/custom-emoji/packs', other.adminToken)).json().packs, []);
    t.equal((await get(`/api/custom-emoji/packs/${id}`)).json().name, 'Media', 'unchanged');
    for (const bad of ['not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      t.equal((await get(`/api/custom-emoji/packs/${bad}`)).statusCode, 404);
      t.equal((await get(`/api/custom-emoji/public/acme/emoji/${bad}`, undefined)).statusCode, 404);
    }
  });

  await t.test('pickers: agents with the permission, visitors with their token', async (t) => {
    const agent = await app.member('acme', 'agent');
    const picker = await get('/api/custom-emoji/picker', agent.token);
    t.equal(picker.statusCode, 200);
    t.same(picker.json().packs.map((p: { name: string }) => p.name), ['Media']);
    t.same(Object.keys(picker.json().packs[0].emoji[0]).sort(), ['animated', 'height', 'id', 'name', 'thumbUrl', 'url', 'width']);
    t.equal((await get('/api/custom-emoji/packs', agent.token)).json().code, 'PERMISSION_DENIED', 'agents do not manage packs');

    const visitor = (await app.request({ method: 'POST', url: '/api/visitor/session', body: { tenant: 'acme' } })).json();
    const packs = await get('/api/custom-emoji/visitor/packs', visitor.token, { origin: 'https://shop.example' });
    t.equal(packs.statusCode, 200);
    t.same(packs.json(), picker.json(), 'visitors see the same names and images, nothing more');
    t.equal(packs.headers['access-control-allow-origin'], '*', 'the widget may call it from the site');
    t.equal((await get('/api/custom-emoji/packs', visitor.token)).statusCode, 401, 'a visitor token is no member session');
    const otherVisitor = (await app.request({ method: 'POST', url: '/api/visitor/session', body: { tenant: 'other' } })).json();
    t.same((await get('/api/custom-emoji/visitor/packs', otherVisitor.token)).json().packs, [], 'visitors see their own tenant\'s packs');
  });
});
