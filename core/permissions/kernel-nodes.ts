/** Permission nodes of the kernel's own pages. */
import type { PermissionNodeDecl } from './tree.ts';

export const KERNEL_PERMISSIONS: PermissionNodeDecl[] = [
  {
    key: 'settings',
    label: { en: 'Settings', 'zh-CN': '设置' },
    children: [
      { key: 'members', label: { en: 'Members', 'zh-CN': '成员管理' } },
      { key: 'roles', label: { en: 'Roles and permissions', 'zh-CN': '角色权限' } },
      { key: 'plugins', label: { en: 'Plugins', 'zh-CN': '插件' } },
      { key: 'api-keys', label: { en: 'API keys', 'zh-CN': 'API 密钥' } },
      { key: 'tenant', label: { en: 'Company information', 'zh-CN': '企业信息' } },
    ],
  },
];
