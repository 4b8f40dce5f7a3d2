/**
 * Hostile uploads through the HTTP route: each one gets a clear error naming what is wrong and
 * stores nothing (the plugin's rows and the kernel's files are counted before and after). An upload
 * over 15 MB is refused while it streams: the client never finishes sending, yet gets its answer.
 */
import t from 'tap';
import http from 'node:http';
import { Readable } from 'node:stream';
import { createTestApp } from '../../../test/helpers/app.ts';
import { MAX_ZIP_BYTES } from '../src/limits.ts';
import type { PackErrorCode } from '../src/pack/types.ts';
import {
  ELF_HEADER,
  SVG_WITH_SCRIPT,
  SYMLINK_ATTRIBUTES,
  buildZip,
  deflatedZeros,
  imageEntries,
  pixelFloodJpeg,
  pixelFloodPng,
  png,
  tinyGif,
} from './fixtures.ts';
import { multipart, storage, uploadPack, validZip } from './http-helpers.ts';

const MB = 1024 * 1024;
const app = await createTestApp(t);
const tenant = await app.tenant('hostile', { edition: 'flagship' });
const admin = tenant.adminToken;

// A pack already stored, so "nothing stored" also means "nothing of it changed".
const existing = await uploadPack(app, admin, await validZip(2), { name: 'Existing' });
t.equal(existing.statusCode, 201);

interface Case {
  label: string;
  zip: () => Promise<Buffer>;
  filename?: string;
  /** Every rejected file and its code (file null: the pack as a whole). */
  errors: Array<[string | null, PackErrorCode]>;
}

const good = async () => ({ name: 'good.png', data: await png(200, 200, 1) });

const CASES: Case[] = [
  {
    label: 'zip slip: ../ and absolute paths',
    zip: async () => buildZip([await good(), { name: '../../etc/cron.d/evil.png', data: await png() }, { name: '/tmp/abs.png', data: await png() }, { name: 'C:/win.png', data: await png() }, { name: 'a\\..\\b.png', data: await png() }]),
    errors: [['../../etc/cron.d/evil.png', 'UNSAFE_PATH'], ['/tmp/abs.png', 'UNSAFE_PATH'], ['C:/win.png', 'UNSAFE_PATH'], ['a\\..\\b.png', 'UNSAFE_PATH']],
  },
  {
    label: 'a symlink entry',
    zip: async () => buildZip([await good(), { name: 'link.png', data: Buffer.from('/etc/passwd'), method: 0, externalAttributes: SYMLINK_ATTRIBUTES }]),
    errors: [['link.png', 'SYMLINK_ENTRY']],
  },
  {
    label: 'a zip bomb: entries that inflate far past what they declare',
    zip: async () => {
      const compressed = await deflatedZeros(10 * MB);
      return buildZip([await good(), { name: 'bomb.png', compressed, declaredSize: 40_000 }, { name: 'claim.gif', compressed, declaredSize: 0xfffffffe }]);
    },
    errors: [['claim.gif', 'ZIP_BOMB'], ['bomb.png', 'ZIP_BOMB']],
  },
  {
    label: 'more than 50 entries',
    zip: async () => buildZip(await imageEntries(51)),
    errors: [[null, 'TOO_MANY_ENTRIES']],
  },
  {
    label: 'a nested zip',
    zip: async () => buildZip([await good(), { name: 'inner.zip', data: buildZip([{ name: 'x.png', data: await png() }]) }]),
    errors: [['inner.zip', 'NESTED_ZIP']],
  },
  {
    label: 'an executable and an SVG with script named .png',
    zip: async () => buildZip([await good(), { name: 'run.png', data: ELF_HEADER }, { name: 'script.png', data: SVG_WITH_SCRIPT }]),
    errors: [['run.png', 'TYPE_MISMATCH'], ['script.png', 'TYPE_MISMATCH']],
  },
  {
    label: 'pixel floods: small files, huge dimensions',
    zip: async () => buildZip([await good(), { name: 'flood-png.png', data: await pixelFloodPng() }, { name: 'flood-jpeg.jpg', data: await pixelFloodJpeg() }, { name: 'flood-gif.gif', data: tinyGif(65535, 65535) }]),
    errors: [['flood-png.png', 'IMAGE_DIMENSIONS_TOO_LARGE'], ['flood-jpeg.jpg', 'IMAGE_DIMENSIONS_TOO_LARGE'], ['flood-gif.gif', 'IMAGE_DIMENSIONS_TOO_LARGE']],
  },
  {
    label: 'a truncated zip',
    zip: async () => {
      const whole = buildZip(await imageEntries(3));
      return whole.subarray(0, whole.length - 40);
    },
    errors: [[null, 'CORRUPT_ZIP']],
  },
  {
    label: 'a non-zip with a .zip name',
    filename: 'photos.zip',
    zip: async () => png(),
    errors: [[null, 'NOT_A_ZIP']],
  },
  {
    label: 'an empty pack',
    zip: async () => buildZip([{ name: '__MACOSX/._x.png', data: Buffer.from('junk') }, { name: '.DS_Store', data: Buffer.from('junk') }]),
    errors: [[null, 'EMPTY_PACK']],
  },
];

for (const c of CASES) {
  t.test(c.label, async (t) => {
    const before = await storage(app);
    const res = await uploadPack(app, admin, await c.zip(), { name: c.label.slice(0, 40), filename: c.filename });
    t.equal(res.statusCode, 422, res.body.slice(0, 300));
    const body = res.json();
    t.equal(body.code, 'PACK_INVALID');
    t.same(body.errors.map((e: { file: string | null; code: string }) => [e.file, e.code]), c.errors, 'every rejected file, with its code');
    t.ok(body.errors.every((e: { message: string }) => typeof e.message === 'string' && e.message.length > 10), 'each with a reason');
    t.match(body.message, /Nothing was saved/);
    t.same(await storage(app), before, 'nothing stored');
  });
}

t.test('an upload over 15 MB is refused while it streams', async (t) => {
  const before = await storage(app);

  await t.test('exactly 15 MB + 1 byte (injected)', async (t) => {
    const res = await uploadPack(app, admin, Buffer.alloc(MAX_ZIP_BYTES + 1), { name: 'Huge' });
    t.equal(res.statusCode, 413);
    t.equal(res.json().code, 'ZIP_TOO_LARGE');
    t.same(res.json().errors, [{ file: null, code: 'ZIP_TOO_LARGE', message: 'The pack is larger than 15 MB.' }]);
  });

  await t.test('an endless upload over a real connection gets its answer before it ends', async (t) => {
    const url = new URL(await app.listen());
    const head = multipart([{ name: 'name', value: 'Endless' }, { name: 'file', file: { filename: 'endless.zip', data: Buffer.alloc(0) } }]);
    // The multipart head up to the file's bytes; then zeros for ever.
    const prefix = head.payload.subarray(0, head.payload.indexOf('\r\n--', head.payload.indexOf('filename=')));
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, method: 'POST', path: '/api/custom-emoji/packs', headers: { authorization: `Bearer ${admin}`, 'content-type': head.contentType, 'accept-language': 'zh-CN' } });
      let answered = false;
      req.on('response', (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body });
        });
      });
      req.on('error', (err) => (answered ? undefined : reject(err)));
      const pump = () => {
        while (!answered && sent < 200 * MB) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!answered) reject(new Error('200 MB sent and no answer'));
      };
      req.write(prefix);
      pump();
    });
    // The client never ends its body, so the answer cannot have waited for the whole upload.
    t.equal(answer.status, 413, `answered while the body was still streaming (${(sent / MB).toFixed(1)} MB written by then, socket buffers included)`);
    t.same(JSON.parse(answer.body).errors, [{ file: null, code: 'ZIP_TOO_LARGE', message: '表情包超过 15 MB。' }]);
  });

  t.same(await storage(app), before, 'nothing stored');
});

t.test('malformed requests', async (t) => {
  const before = await storage(app);
  const json = await app.request({ method: 'POST', url: '/api/custom-emoji/packs', token: admin, body: { name: 'x' } });
  t.same([json.statusCode, json.json().code], [400, 'MULTIPART_REQUIRED']);

  const zip = await validZip(1);
  const shapes = {
    'no file': multipart([{ name: 'name', value: 'Only a name' }]),
    'the file under another name': multipart([{ name: 'upload', file: { filename: 'p.zip', data: zip } }]),
    'two files': multipart([{ name: 'file', file: { filename: 'a.zip', data: zip } }, { name: 'file', file: { filename: 'b.zip', data: zip } }]),
    'extra parts': multipart([{ name: 'name', value: 'a' }, { name: 'other', value: 'b' }, { name: 'file', file: { filename: 'a.zip', data: zip } }]),
  };
  for (const [label, { payload, contentType }] of Object.entries(shapes)) {
    const res = await app.http.inject({ method: 'POST', url: '/api/custom-emoji/packs', payload, headers: { authorization: `Bearer ${admin}`, 'content-type': contentType } });
    t.same([res.statusCode, res.json().code], [400, 'FILE_REQUIRED'], label);
  }
  const longName = await uploadPack(app, admin, zip, { name: 'n'.repeat(500) });
  t.same([longName.statusCode, longName.json().code], [400, 'PACK_NAME_INVALID'], 'a name too long for the part');
  const agent = await app.member('hostile', 'agent');
  t.equal((await uploadPack(app, agent.token, zip, { name: 'Agent pack' })).json().code, 'PERMISSION_DENIED', 'agents cannot upload');
  t.equal((await app.http.inject({ method: 'POST', url: '/api/custom-emoji/packs', payload: Readable.from([Buffer.from('x')]) })).statusCode, 401, 'nor can anyone without a session');
  t.same(await storage(app), before, 'nothing stored');
});

t.test('the existing pack is intact', async (t) => {
  const res = await app.request({ method: 'GET', url: '/api/custom-emoji/packs', token: admin });
  t.same(res.json().packs.map((p: { name: string; emoji: unknown[] }) => [p.name, p.emoji.length]), [['Existing', 2]]);
});
