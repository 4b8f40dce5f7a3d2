import t from 'tap';
import { en } from '../../ui/console/src/locales/en.ts';
import { zhCN } from '../../ui/console/src/locales/zh-CN.ts';
import { interpolate, leafKeys, localized, lookup, pickLocale, placeholders, translate, type Dict } from '../../ui/shared/i18n.ts';

t.test('every English string has a Chinese translation with the same placeholders', async (t) => {
  const enKeys = leafKeys(en as Dict).sort();
  const zhKeys = leafKeys(zhCN as Dict).sort();
  t.same(zhKeys, enKeys, 'same keys');
  for (const key of enKeys) {
    const zh = lookup(zhCN as Dict, key)!;
    t.ok(zh.trim().length > 0, `${key} is not empty`);
    if (placeholders(lookup(en as Dict, key)!).join() !== placeholders(zh).join()) t.fail(`${key}: placeholders differ`);
  }
});

t.test('translation falls back to English, then to the key', async (t) => {
  const dicts = { en: { a: { b: 'Hello {name}' }, only: 'English only' }, 'zh-CN': { a: { b: '你好 {name}' } } };
  t.equal(translate(dicts, 'zh-CN', 'a.b', { name: '李' }), '你好 李');
  t.equal(translate(dicts, 'zh-CN', 'only'), 'English only');
  t.equal(translate(dicts, 'en', 'missing.key'), 'missing.key');
  t.equal(translate(dicts, 'en', 'a'), 'a', 'a branch is not a string');
  t.equal(interpolate('{a} and {b}', { a: 1 }), '1 and {b}', 'unknown placeholders stay visible');
  t.equal(interpolate('{a}', { a: '<b>' }), '<b>', 'no HTML escaping here: the UI renders text, never HTML');
});

t.test('the browser language picks the locale', async (t) => {
  t.equal(pickLocale(['zh-TW', 'en']), 'zh-CN');
  t.equal(pickLocale(['fr-FR', 'en-GB']), 'en');
  t.equal(pickLocale(['fr-FR']), 'en');
  t.equal(pickLocale([]), 'en');
  t.equal(localized({ en: 'Members', 'zh-CN': '成员' }, 'zh-CN'), '成员');
  t.equal(localized({ en: 'Members' }, 'zh-CN'), 'Members');
  t.equal(localized(null, 'en'), '');
});
