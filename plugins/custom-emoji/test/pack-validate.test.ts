import t, { type Test } from 'tap';
import AdmZip from 'adm-zip';
import sharp from 'sharp';
import { DEFAULT_PACK_LIMITS, MAX_GIF_BYTES, MAX_STATIC_IMAGE_BYTES, MAX_ZIP_BYTES } from '../src/pack/limits.ts';
import { validatePack, type PackEmoji, type PackErrorCode, type PackResult } from '../src/pack/validate-pack.ts';
import { errorMessage } from '../src/pack/messages.ts';
import {
  ELF_HEADER,
  SVG_WITH_SCRIPT,
  SYMLINK_ATTRIBUTES,
  animatedGif,
  buildZip,
  deflatedZeros,
  endOfCentralDirectory,
  flatPng,
  gif,
  imageEntries,
  jpeg,
  noisyPng,
  padGifTo,
  padJpegTo,
  padPngTo,
  pixelFloodJpeg,
  pixelFloodPng,
  png,
  pseudoRandomBytes,
  tinyGif,
  type ZipEntrySpec,
} from './fixtures.ts';


function accepted(tt: Test, result: PackResult): PackEmoji[] {
  if (!result.ok) {
    tt.fail(`pack refused: ${JSON.stringify(result.errors.map((e) => [e.file, e.code]))}`);
    return [];
  }
  return result.emoji;
}

/** Asserts the pack is refused with exactly these (file, code) pairs, in any order. */
function refused(tt: Test, result: PackResult, expected: Array<[string | null, PackErrorCode]>): void {
  tt.equal(result.ok, false, 'pack is refused');
  if (result.ok) return;
  const key = ([file, code]: [string | null, PackErrorCode]) => `${file ?? '<pack>'} ${code}`;
  tt.same(result.errors.map((e) => key([e.file, e.code])).sort(), expected.map(key).sort());
}

async function validateEntries(entries: ZipEntrySpec[]): Promise<PackResult> {
  return validatePack(buildZip(entries));
}

/** One good image next to the entry under test, so only the entry under test can be at fault. */
async function withGoodImage(entries: ZipEntrySpec[]): Promise<PackResult> {
  return validateEntries([{ name: 'good.png', data: await png() }, ...entries]);
}

t.test('accepts a valid pack and describes every emoji', async (t) => {
  const staticPng = await png(200, 200, 1);
  const staticJpeg = await jpeg(200, 200, 2);
  const staticGif = await gif(200, 200, 3);
  const animated = await animatedGif(3, 128, 128);
  const emoji = accepted(
    t,
    await validateEntries([
      { name: 'smile.png', data: staticPng },
      { name: 'folder/Wink.JPG', data: staticJpeg, method: 0 },
      { name: 'still.gif', data: staticGif },
      { name: 'Party Parrot!.gif', data: animated },
    ]),
  );
  t.same(
    emoji.map((e) => [e.name, e.sourcePath, e.format, e.width, e.height, e.animated, e.warnings]),
    [
      ['smile', 'smile.png', 'png', 200, 200, false, []],
      ['wink', 'folder/Wink.JPG', 'jpeg', 200, 200, false, ['NAME_SANITISED']],
      ['still', 'still.gif', 'gif', 200, 200, false, []],
      ['party_parrot', 'Party Parrot!.gif', 'gif', 128, 128, true, ['NOT_SUGGESTED_SIZE', 'NAME_SANITISED']],
    ],
  );
  t.ok(emoji[0]?.bytes.equals(staticPng), 'png bytes are the original bytes');
  t.ok(emoji[3]?.bytes.equals(animated), 'animated gif bytes are kept as uploaded, so it stays animated');

  for (const e of emoji) {
    const thumb = await sharp(e.thumbnail).metadata();
    t.equal(thumb.format, 'webp', `${e.name}: thumbnail is webp`);
    t.ok(thumb.width <= 64 && thumb.height <= 64, `${e.name}: thumbnail fits 64 px`);
  }
  const animatedThumb = await sharp(emoji[3]?.thumbnail, { animated: true }).metadata();
  t.equal(animatedThumb.pages, 3, 'the animated emoji gets an animated thumbnail');
});

t.test('accepts a pack written by a common zip library (adm-zip)', async (t) => {
  const zip = new AdmZip();
  zip.addFile('pack/', Buffer.alloc(0));
  zip.addFile('pack/one.png', await png(200, 200, 1));
  zip.addFile('pack/two.gif', await animatedGif(2));
  const emoji = accepted(t, await validatePack(zip.toBuffer()));
  t.same(
    emoji.map((e) => [e.name, e.animated]),
    [
      ['one', false],
      ['two', true],
    ],
  );
});

t.test('decodes GBK file names written without the UTF-8 flag (Windows, Chinese locale)', async (t) => {
  const gbkName = Buffer.concat([Buffer.from([0xbf, 0xaa, 0xd0, 0xc4]), Buffer.from('.png')]); // 开心.png
  const emoji = accepted(t, await validateEntries([{ name: gbkName, data: await png() }]));
  t.same(emoji.map((e) => [e.name, e.sourcePath]), [['开心', '开心.png']]);
});

t.test('ignores folders, __MACOSX, dotfiles and OS junk, and does not count them', async (t) => {
  const images = await imageEntries(50);
  const junk: ZipEntrySpec[] = [
    { name: 'pack/' },
    { name: '__MACOSX/' },
    ...images.map((e) => ({ name: `__MACOSX/._${e.name as string}`, data: Buffer.from('resource fork') })),
    { name: '.DS_Store', data: Buffer.from('finder') },
    { name: 'pack/.hidden.png', data: ELF_HEADER },
    { name: '.git/config', data: Buffer.from('[core]') },
    { name: 'Thumbs.db', data: Buffer.from('thumbs') },
  ];
  const emoji = accepted(t, await validateEntries([...junk, ...images]));
  t.equal(emoji.length, 50);
});

t.test('emoji count: 1..50', async (t) => {
  const fifty = await imageEntries(50);
  t.equal(accepted(t, await validateEntries(fifty)).length, 50, '50 emoji are accepted');

  const fiftyOne = await imageEntries(51);
  refused(t, await validateEntries(fiftyOne), [[null, 'TOO_MANY_ENTRIES']]);

  refused(t, await validateEntries([]), [[null, 'EMPTY_PACK']]);
  refused(t, await validateEntries([{ name: 'only/' }, { name: '__MACOSX/._x.png', data: Buffer.from('x') }]), [
    [null, 'EMPTY_PACK'],
  ]);
});

t.test('too many zip records are refused before any is parsed', async (t) => {
  const folders = Array.from({ length: DEFAULT_PACK_LIMITS.maxZipRecords + 1 }, (_, i) => ({ name: `d${i}/` }));
  refused(t, await validateEntries(folders), [[null, 'TOO_MANY_ENTRIES']]);

  // An end record claiming 65535 entries on a file with none of them.
  const liar = Buffer.concat([buildZip([{ name: 'a.png', data: await png() }]).subarray(0, -22)]);
  const directoryOffset = liar.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  const forged = Buffer.concat([liar, endOfCentralDirectory(0xffff, liar.length - directoryOffset, directoryOffset)]);
  refused(t, await validatePack(forged), [[null, 'TOO_MANY_ENTRIES']]);
});

t.test('the zip itself: NOT_A_ZIP, ZIP_TOO_LARGE, CORRUPT_ZIP', async (t) => {
  refused(t, await validatePack(pseudoRandomBytes(4096)), [[null, 'NOT_A_ZIP']]);
  refused(t, await validatePack(Buffer.from('%PDF-1.7 not a zip')), [[null, 'NOT_A_ZIP']]);
  refused(t, await validatePack(Buffer.alloc(0)), [[null, 'NOT_A_ZIP']]);

  const good = buildZip(await imageEntries(3));
  refused(t, await validatePack(good.subarray(0, Math.floor(good.length / 2))), [[null, 'CORRUPT_ZIP']]);
  refused(t, await validatePack(good.subarray(0, good.length - 1)), [[null, 'CORRUPT_ZIP']]);
  const brokenDirectory = Buffer.from(good);
  brokenDirectory.writeUInt32LE(0xdeadbeef, good.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])));
  refused(t, await validatePack(brokenDirectory), [[null, 'CORRUPT_ZIP']]);

  refused(t, await validatePack(Buffer.alloc(MAX_ZIP_BYTES + 1)), [[null, 'ZIP_TOO_LARGE']]);
});

t.test('a zip of exactly 15 MB is accepted, one byte more is refused', async (t) => {
  const image: ZipEntrySpec = { name: 'smile.png', data: await png() };
  const paddingName = '__MACOSX/padding';
  const overhead = buildZip([image, { name: paddingName, method: 0 }]).length;
  const padding = (extra: number): ZipEntrySpec => ({
    name: paddingName,
    method: 0,
    data: Buffer.alloc(MAX_ZIP_BYTES - overhead + extra),
  });

  const exact = buildZip([image, padding(0)]);
  t.equal(exact.length, MAX_ZIP_BYTES);
  t.equal(accepted(t, await validatePack(exact)).length, 1);

  const over = buildZip([image, padding(1)]);
  t.equal(over.length, MAX_ZIP_BYTES + 1);
  refused(t, await validatePack(over), [[null, 'ZIP_TOO_LARGE']]);
});

t.test('UNSAFE_PATH: zip slip in every spelling', async (t) => {
  const data = await png();
  const names = [
    '../evil.png',
    '/etc/passwd',
    'emoji/../../evil.png',
    '..\\..\\evil.png',
    'emoji\\evil.png',
    'C:/evil.png',
    'c:evil.png',
    '__MACOSX/../../evil.png',
    'evil\u0000.png',
    '..',
  ];
  refused(
    t,
    await withGoodImage(names.map((name) => ({ name, data }))),
    names.map((name) => [name, 'UNSAFE_PATH']),
  );
});

t.test('SYMLINK_ENTRY: unix symlink mode in the external attributes', async (t) => {
  const link = { name: 'link.png', data: Buffer.from('/etc/passwd'), externalAttributes: SYMLINK_ATTRIBUTES };
  const hiddenLink = { name: '.link', data: Buffer.from('/etc/shadow'), externalAttributes: SYMLINK_ATTRIBUTES };
  refused(t, await withGoodImage([link, hiddenLink]), [
    ['link.png', 'SYMLINK_ENTRY'],
    ['.link', 'SYMLINK_ENTRY'],
  ]);
});

t.test('NESTED_ZIP: by name and by content', async (t) => {
  const inner = buildZip(await imageEntries(2));
  refused(t, await withGoodImage([{ name: 'more.zip', data: inner }, { name: 'sneaky.png', data: inner }]), [
    ['more.zip', 'NESTED_ZIP'],
    ['sneaky.png', 'NESTED_ZIP'],
  ]);
});

t.test('UNSUPPORTED_TYPE: anything but .png, .jpg, .jpeg, .gif', async (t) => {
  const entries = [
    { name: 'logo.svg', data: SVG_WITH_SCRIPT },
    { name: 'readme.txt', data: Buffer.from('hello') },
    { name: 'modern.webp', data: await sharp(await png()).webp().toBuffer() },
    { name: 'run.exe', data: ELF_HEADER },
    { name: 'noextension', data: await png() },
  ];
  refused(t, await withGoodImage(entries), entries.map((e) => [e.name, 'UNSUPPORTED_TYPE']));
});

t.test('TYPE_MISMATCH: content is not what the name says', async (t) => {
  refused(
    t,
    await withGoodImage([
      { name: 'elf.png', data: ELF_HEADER },
      { name: 'script.png', data: SVG_WITH_SCRIPT },
      { name: 'html.gif', data: Buffer.from('<html><script>alert(1)</script></html>') },
      { name: 'png-in-disguise.jpg', data: await png() },
      { name: 'jpeg-in-disguise.gif', data: await jpeg() },
      { name: 'empty.png', data: Buffer.alloc(0) },
    ]),
    [
      ['elf.png', 'TYPE_MISMATCH'],
      ['script.png', 'TYPE_MISMATCH'],
      ['html.gif', 'TYPE_MISMATCH'],
      ['png-in-disguise.jpg', 'TYPE_MISMATCH'],
      ['jpeg-in-disguise.gif', 'TYPE_MISMATCH'],
      ['empty.png', 'TYPE_MISMATCH'],
    ],
  );
});

t.test('IMAGE_TOO_LARGE at the byte limits', async (t) => {
  t.equal(MAX_STATIC_IMAGE_BYTES, 51_200);
  t.equal(MAX_GIF_BYTES, 102_400);
  const basePng = await png();
  const baseJpeg = await jpeg();
  const baseGif = await animatedGif(2);

  const atLimit = [
    { name: 'png-at-limit.png', data: padPngTo(basePng, 51_200) },
    { name: 'jpeg-at-limit.jpeg', data: padJpegTo(baseJpeg, 51_200) },
    { name: 'gif-at-limit.gif', data: padGifTo(baseGif, 102_400) },
  ];
  const emoji = accepted(t, await validateEntries(atLimit));
  t.same(
    emoji.map((e) => [e.name, e.bytes.length]),
    [
      ['png-at-limit', 51_200],
      ['jpeg-at-limit', 51_200],
      ['gif-at-limit', 102_400],
    ],
  );
  t.equal(emoji[2]?.animated, true, 'padding keeps the gif animated');

  refused(
    t,
    await withGoodImage([
      { name: 'png-over.png', data: padPngTo(basePng, 51_201) },
      { name: 'jpeg-over.jpg', data: padJpegTo(baseJpeg, 51_201) },
      { name: 'gif-over.gif', data: padGifTo(baseGif, 102_401) },
      // A real photo deflates about 1:1 and an uncompressed PNG far better; both are "too large", not bombs.
      { name: 'photo.jpg', data: pseudoRandomBytes(6 * 1024 * 1024), method: 0 },
      { name: 'uncompressed.png', data: padPngTo(basePng, 400_000) },
    ]),
    [
      ['png-over.png', 'IMAGE_TOO_LARGE'],
      ['jpeg-over.jpg', 'IMAGE_TOO_LARGE'],
      ['gif-over.gif', 'IMAGE_TOO_LARGE'],
      ['photo.jpg', 'IMAGE_TOO_LARGE'],
      ['uncompressed.png', 'IMAGE_TOO_LARGE'],
    ],
  );
});

t.test('IMAGE_DIMENSIONS_TOO_LARGE: pixel floods are refused from the header', async (t) => {
  const flood = await pixelFloodPng();
  t.ok(flood.length <= MAX_STATIC_IMAGE_BYTES, `the 20000×20000 PNG is only ${flood.length} bytes`);
  refused(
    t,
    await withGoodImage([
      { name: 'flood.png', data: flood },
      { name: 'flood-jpeg.jpg', data: await pixelFloodJpeg() },
      { name: 'flood-gif.gif', data: tinyGif(20000, 20000) },
      { name: 'wide.png', data: await png(4097, 1) },
    ]),
    [
      ['flood.png', 'IMAGE_DIMENSIONS_TOO_LARGE'],
      ['flood-jpeg.jpg', 'IMAGE_DIMENSIONS_TOO_LARGE'],
      ['flood-gif.gif', 'IMAGE_DIMENSIONS_TOO_LARGE'],
      ['wide.png', 'IMAGE_DIMENSIONS_TOO_LARGE'],
    ],
  );

  const emoji = accepted(t, await validateEntries([{ name: 'huge-but-allowed.png', data: await flatPng(4096, 4096) }]));
  t.same(emoji.map((e) => [e.width, e.height, e.warnings]), [[4096, 4096, ['NOT_SUGGESTED_SIZE']]]);
});

t.test('IMAGE_DIMENSIONS_TOO_LARGE: frames of an animation count together', async (t) => {
  const frames = await animatedGif(3, 100, 100); // 30,000 pixels in all
  refused(t, await validatePack(buildZip([{ name: 'a.gif', data: frames }]), { limits: { maxDecodedPixels: 29_999 } }), [
    ['a.gif', 'IMAGE_DIMENSIONS_TOO_LARGE'],
  ]);
  const ok = await validatePack(buildZip([{ name: 'a.gif', data: frames }]), { limits: { maxDecodedPixels: 30_000 } });
  t.equal(accepted(t, ok).length, 1);
});

t.test('ZIP_BOMB: lying headers and absurd sizes', async (t) => {
  const tenMegabytesOfZeros = await deflatedZeros(10 * 1024 * 1024);
  const twoHundredMegabytesOfZeros = await deflatedZeros(200 * 1024 * 1024);
  refused(
    t,
    await withGoodImage([
      // Declares 1,000 bytes, inflates to 10 MB: inflation stops at 1,001.
      { name: 'small-lie.png', compressed: tenMegabytesOfZeros, declaredSize: 1000 },
      // Declares 2 GB from 10 KB.
      { name: 'huge-claim.gif', compressed: tenMegabytesOfZeros, declaredSize: 0x7fffffff },
      // Honest about 200 MB, from 200 KB.
      { name: 'honest-bomb.png', compressed: twoHundredMegabytesOfZeros, declaredSize: 200 * 1024 * 1024 },
    ]),
    [
      ['small-lie.png', 'ZIP_BOMB'],
      ['huge-claim.gif', 'ZIP_BOMB'],
      ['honest-bomb.png', 'ZIP_BOMB'],
    ],
  );
});

t.test('ZIP_BOMB: the pack-wide inflate budget', async (t) => {
  const entries = await imageEntries(3);
  const sizes = entries.map((e) => e.data?.length ?? 0);
  const budget = (sizes[0] ?? 0) + (sizes[1] ?? 0);
  refused(t, await validatePack(buildZip(entries), { limits: { maxTotalInflatedBytes: budget } }), [
    ['emoji-3.png', 'ZIP_BOMB'],
  ]);
});

t.test('CORRUPT_IMAGE: right magic bytes, broken image', async (t) => {
  const photo = await noisyPng(80, 80);
  const truncatedPng = photo.subarray(0, Math.floor(photo.length / 2));
  const fullJpeg = await sharp(photo).jpeg().toBuffer();
  const truncatedJpeg = fullJpeg.subarray(0, Math.floor(fullJpeg.length / 2));
  refused(
    t,
    await withGoodImage([
      { name: 'half.png', data: truncatedPng },
      { name: 'half-jpeg.jpg', data: truncatedJpeg },
      { name: 'signature-only.png', data: photo.subarray(0, 8) },
      { name: 'header-only.gif', data: Buffer.from('GIF89a') },
    ]),
    [
      ['half.png', 'CORRUPT_IMAGE'],
      ['half-jpeg.jpg', 'CORRUPT_IMAGE'],
      ['signature-only.png', 'CORRUPT_IMAGE'],
      ['header-only.gif', 'CORRUPT_IMAGE'],
    ],
  );
});

t.test('CORRUPT_ZIP: entries that do not add up', async (t) => {
  const data = await png();
  refused(
    t,
    await withGoodImage([
      { name: 'bad-crc.png', data, crc32: 0x12345678 },
      { name: 'other-local-name.png', data, localName: 'different.png' },
      { name: 'not-deflate.png', compressed: pseudoRandomBytes(2000), declaredSize: data.length },
      { name: 'short.png', data, declaredSize: data.length + 10 },
      { name: 'stored-size-lie.png', data, method: 0, declaredSize: data.length - 1 },
      { name: 'past-the-end.png', data, declaredCompressedSize: 10_000_000 },
    ]),
    [
      ['bad-crc.png', 'CORRUPT_ZIP'],
      ['other-local-name.png', 'CORRUPT_ZIP'],
      ['not-deflate.png', 'CORRUPT_ZIP'],
      ['short.png', 'CORRUPT_ZIP'],
      ['stored-size-lie.png', 'CORRUPT_ZIP'],
      ['past-the-end.png', 'CORRUPT_ZIP'],
    ],
  );
});

t.test('UNSUPPORTED_ZIP_FEATURE: encryption, other methods, ZIP64', async (t) => {
  const data = await png();
  refused(
    t,
    await withGoodImage([
      { name: 'encrypted.png', data, flags: 0x0801 },
      { name: 'bzip2.png', data, method: 12 },
      { name: 'zip64.png', data, declaredSize: 0xffffffff },
    ]),
    [
      ['encrypted.png', 'UNSUPPORTED_ZIP_FEATURE'],
      ['bzip2.png', 'UNSUPPORTED_ZIP_FEATURE'],
      ['zip64.png', 'UNSUPPORTED_ZIP_FEATURE'],
    ],
  );
});

t.test('INVALID_NAME and DUPLICATE_NAME', async (t) => {
  const data = await png();
  refused(
    t,
    await validateEntries([
      { name: 'a/smile.png', data },
      { name: 'b/Smile.png', data },
      { name: 'smile.gif', data: await gif() },
      { name: '!!!.png', data },
      { name: '😀.png', data },
    ]),
    [
      ['b/Smile.png', 'DUPLICATE_NAME'],
      ['smile.gif', 'DUPLICATE_NAME'],
      ['!!!.png', 'INVALID_NAME'],
      ['😀.png', 'INVALID_NAME'],
    ],
  );
});

t.test('lists every rejected file, and refuses the pack as a whole', async (t) => {
  const result = await validateEntries([
    ...(await imageEntries(3)),
    { name: '../escape.png', data: await png() },
    { name: 'notes.txt', data: Buffer.from('hi') },
    { name: 'elf.png', data: ELF_HEADER },
    { name: 'big.png', data: padPngTo(await png(), 51_201) },
    { name: 'flood.png', data: await pixelFloodPng() },
  ]);
  refused(t, result, [
    ['../escape.png', 'UNSAFE_PATH'],
    ['notes.txt', 'UNSUPPORTED_TYPE'],
    ['elf.png', 'TYPE_MISMATCH'],
    ['big.png', 'IMAGE_TOO_LARGE'],
    ['flood.png', 'IMAGE_DIMENSIONS_TOO_LARGE'],
  ]);
  t.notOk('emoji' in result, 'no emoji of a refused pack are returned');
  if (!result.ok) {
    const first = result.errors[0];
    t.ok(first?.message.en && first.message['zh-CN'], 'errors carry en and zh-CN messages');
  }
});

t.test('every error code has en and zh-CN text', async (t) => {
  const codes: Record<PackErrorCode, true> = {
    NOT_A_ZIP: true,
    ZIP_TOO_LARGE: true,
    CORRUPT_ZIP: true,
    TOO_MANY_ENTRIES: true,
    EMPTY_PACK: true,
    UNSAFE_PATH: true,
    SYMLINK_ENTRY: true,
    NESTED_ZIP: true,
    UNSUPPORTED_ZIP_FEATURE: true,
    UNSUPPORTED_TYPE: true,
    TYPE_MISMATCH: true,
    IMAGE_TOO_LARGE: true,
    IMAGE_DIMENSIONS_TOO_LARGE: true,
    ZIP_BOMB: true,
    CORRUPT_IMAGE: true,
    INVALID_NAME: true,
    DUPLICATE_NAME: true,
  };
  for (const code of Object.keys(codes) as PackErrorCode[]) {
    const text = errorMessage(code, { limits: DEFAULT_PACK_LIMITS, format: 'gif', name: 'smile' });
    t.ok(text.en.length > 0 && text['zh-CN'].length > 0, code);
    t.notMatch(text.en, /undefined/, `${code}: en has no holes`);
    t.notMatch(text['zh-CN'], /undefined/, `${code}: zh-CN has no holes`);
  }
  t.match(errorMessage('ZIP_TOO_LARGE', { limits: DEFAULT_PACK_LIMITS }).en, /15 MB/);
  t.match(errorMessage('IMAGE_TOO_LARGE', { limits: DEFAULT_PACK_LIMITS, format: 'png' }).en, /51,200 bytes/);
  t.match(errorMessage('IMAGE_TOO_LARGE', { limits: DEFAULT_PACK_LIMITS, format: 'gif' })['zh-CN'], /102,400 字节/);
});
