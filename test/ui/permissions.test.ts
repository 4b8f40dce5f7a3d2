import t from 'tap';
import { checkNode, grantsCover, grantsTouch, uncheckNode, type PermissionTreeNode } from '../../ui/console/src/lib/permissions.ts';

const node = (key: string, children: PermissionTreeNode[] = []): PermissionTreeNode => ({ key, label: { en: key, 'zh-CN': key }, owner: 'core', children });
const tree = [
  node('settings', [node('settings.members'), node('settings.roles'), node('settings.plugins')]),
  node('conversations', [
    node('conversations.workbench', [node('conversations.workbench.chat'), node('conversations.workbench.close')]),
    node('conversations.history', [node('conversations.history.view'), node('conversations.history.export')]),
  ]),
];

t.test('a grant covers its subtree, as the kernel decides', async (t) => {
  t.ok(grantsCover(['settings'], 'settings.members'));
  t.notOk(grantsCover(['settings.members'], 'settings'));
  t.notOk(grantsCover(['settings'], 'settingsx'), 'prefix matching stops at a dot');
  t.ok(grantsCover(['*'], 'anything.at.all'));
  t.ok(grantsTouch(['settings.members'], 'settings'), 'a parent is touched by a child grant');
  t.notOk(grantsTouch(['settings.members'], 'conversations'));
});

t.test('checking a node grants it and drops the grants it now covers', async (t) => {
  t.same(checkNode(['settings.members', 'conversations.history.view'], 'settings'), ['conversations.history.view', 'settings']);
  t.same(checkNode(['settings'], 'settings.roles'), ['settings'], 'already covered: unchanged');
});

t.test('unchecking a node inside a granted subtree keeps everything else granted', async (t) => {
  t.same(uncheckNode(tree, ['settings'], 'settings.plugins'), ['settings.members', 'settings.roles']);
  t.same(
    uncheckNode(tree, ['conversations'], 'conversations.workbench.close'),
    ['conversations.history', 'conversations.workbench.chat'],
    'siblings along the whole path are kept',
  );
  t.same(uncheckNode(tree, ['settings', 'conversations.history.view'], 'settings'), ['conversations.history.view']);
  t.same(uncheckNode(tree, ['conversations.history.view', 'conversations.history.export'], 'conversations.history'), [], 'unchecking a parent clears grants below it');
});
