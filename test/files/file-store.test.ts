import t from 'tap';
import sharp from 'sharp';
import { sniff } from '../../core/files/sniff.ts';
import { cleanFilename } from '../../core/files/file-store.ts';
import { createTestApp } from '../helpers/app.ts';

t.test('content types come from the bytes', async (t) => {
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } }).png().toBuffer();
  t.equal(sniff(png)?.contentType, 'image/png');
  t.equal(sniff(Buffer.from('%PDF-1.7\n...'))?.contentType, 'application/pdf');
  t.equal(sniff(Buffer.from('hello, 你好\n'))?.contentType, 'text/plain; charset=utf-8');
  t.equal(sniff(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])), null, 'an ELF executable is nothing we accept');
  t.equal(sniff(Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1')), null, 'a Windows executable neither');
  t.equal(sniff(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')), null, 'SVG is markup, not text');
  t.equal(sniff(Buffer.from('<!DOCTYPE html><script>alert(1)</script>')), null, 'HTML is refused');
});

t.test('file names lose paths and control characters', async (t) => {
  t.equal(cleanFilename('../../etc/passwd', 'txt'), 'passwd');
  t.equal(cleanFilename('C:\\evil\\a"b<c>.png', 'png'), 'abc.png');
  t.equal(cleanFilename('', 'pdf'), 'file.pdf');
});

t.test('save, read and serve are tenant-scoped and type-checked', async (t) => {
  const app = await createTestApp(t, { uploadMaxBytes: 1024 });
  const a = await app.tenant('files-a');
  const b = await app.tenant('files-b');
  const files = app.kernel.files;
  const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#00f' } }).png().toBuffer();
  const stored = await files.save('test', { tenantId: a.id, filename: 'dot.png', data: png });
  t.match(stored, { filename: 'dot.png', contentType: 'image/png', size: png.length });
  t.same((await files.get(a.id, stored.id)).data, png);
  await t.rejects(files.get(b.id, stored.id), { code: 'FILE_NOT_FOUND' }, 'another tenant cannot read it');
  await t.rejects(files.get(a.id, 'not-a-uuid'), { code: 'FILE_NOT_FOUND' });
  await t.rejects(files.save('test', { tenantId: a.id, filename: 'x.png', data: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]) }), { statusCode: 415, code: 'FILE_TYPE_NOT_ALLOWED' });
  await t.rejects(files.save('test', { tenantId: a.id, filename: 'big.txt', data: Buffer.alloc(2048, 'a') }), { statusCode: 413, code: 'FILE_TOO_LARGE' });
  await t.rejects(files.save('test', { tenantId: a.id, filename: 'doc.pdf', data: Buffer.from('%PDF-1.4'), allowedTypes: ['image/png'] }), { code: 'FILE_TYPE_NOT_ALLOWED' });
  const count = await app.kernel.knex('files').count<{ count: number }[]>('* as count');
  t.equal(Number(count[0]!.count), 1, 'refused files store nothing');
});
