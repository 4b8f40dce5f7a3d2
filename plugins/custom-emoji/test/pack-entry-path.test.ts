import t from 'tap';
import { emojiName, formatFromPath, isIgnoredPath, isUnsafePath } from '../src/pack/entry-path.ts';

t.test('isUnsafePath', async (t) => {
  const unsafe = ['../x.png', 'a/../../x.png', '/etc/passwd', '\\\\server\\share\\x.png', 'a\\..\\x.png', 'C:/x.png'];
  for (const path of [...unsafe, 'x\u0000.png', 'x\n.png', '..']) {
    t.ok(isUnsafePath(path), JSON.stringify(path));
  }
  for (const path of ['x.png', 'a/b/x.png', 'a..b.png', '..x.png', './x.png', '开心.png']) {
    t.notOk(isUnsafePath(path), JSON.stringify(path));
  }
});

t.test('isIgnoredPath', async (t) => {
  const ignored = ['__MACOSX/._x.png', 'pack/__MACOSX/x.png', '.DS_Store', 'a/.hidden.png', '.git/config'];
  for (const path of [...ignored, 'Thumbs.db', 'a/desktop.ini']) {
    t.ok(isIgnoredPath(path), path);
  }
  for (const path of ['x.png', './x.png', 'a//x.png', 'macosx/x.png']) {
    t.notOk(isIgnoredPath(path), path);
  }
});

t.test('formatFromPath', async (t) => {
  t.same(
    ['a.png', 'a.PNG', 'a.jpg', 'a.JPEG', 'a.gif', 'a.zip', 'a.svg', 'a', '.png', 'a.png/'].map(formatFromPath),
    ['png', 'png', 'jpeg', 'jpeg', 'gif', 'archive', null, null, null, 'png'],
  );
});

t.test('emojiName', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['smile.png', 'smile', false],
    ['folder/Smile.png', 'smile', true],
    ['party parrot!!.gif', 'party_parrot', true],
    ['__blob__.png', 'blob', true],
    ['thumbs-up_2.png', 'thumbs-up_2', false],
    ['开心.png', '开心', false],
    ['Ｃａｆé.png', 'café', true],
    ['a'.repeat(40) + '.png', 'a'.repeat(32), true],
    ['!!!.png', '', true],
    ['archive.tar.gif', 'archive_tar', true],
  ];
  for (const [path, name, sanitised] of cases) t.same(emojiName(path), { name, sanitised }, path);
});
