/**
 * What each mode's navigation shows for the signed-in member: kernel pages by their permission node,
 * then the pages enabled plugins contributed. A mode with nothing to show is not offered.
 */
import { session } from './session.svelte.ts';
import { slots } from './plugins/slots.svelte.ts';
import { workbench } from './conversations/workbench.svelte.ts';
import { P } from './conversations/types.ts';
import type { LocalizedText } from '../../../shared/i18n.ts';

export type Mode = 'agent' | 'admin';

export interface NavItem {
  id: string;
  path: string;
  icon: string;
  /** A console translation key, or a plugin's own localized title. */
  labelKey?: string;
  title?: LocalizedText | string;
  /** A count shown on the item (unread messages). */
  badge?: number;
}

/** Kernel admin pages and the node each needs. */
const ADMIN_PAGES: Array<{ id: string; permission: string; icon: string; plugin?: string }> = [
  { id: 'members', permission: 'settings.members', icon: 'users' },
  { id: 'roles', permission: 'settings.roles', icon: 'shield' },
  { id: 'plugins', permission: 'settings.plugins', icon: 'puzzle' },
  { id: 'api-keys', permission: 'settings.api-keys', icon: 'key' },
  { id: 'company', permission: 'settings.tenant', icon: 'building' },
  { id: 'skill-groups', permission: P.skillGroups, icon: 'group', plugin: 'conversations' },
  { id: 'agents', permission: P.agents, icon: 'clock', plugin: 'conversations' },
];

/** Settings pages of the conversations plugin, drawn by the console itself. */
const KERNEL_SETTINGS: Array<{ id: string; permission: string; plugin: string }> = [{ id: 'widget', permission: 'settings.plugins', plugin: 'conversations' }];

export const CONVERSATIONS = 'conversations';

/** Whether the member works conversations: agent mode then keeps the `/agent` socket (their presence) open. */
export function worksConversations(): boolean {
  return session.hasPlugin(CONVERSATIONS) && (session.can(P.workbench) || session.can(P.queue));
}

export function adminNav(): NavItem[] {
  const items: NavItem[] = ADMIN_PAGES.filter((p) => (!p.plugin || session.hasPlugin(p.plugin)) && session.can(p.permission)).map((p) => ({
    id: p.id,
    path: `/admin/${p.id}`,
    icon: p.icon,
    labelKey: `nav.${p.id}`,
  }));
  for (const p of slots.pages) {
    if (p.mode === 'admin' && session.can(p.permission)) items.push({ id: `${p.pluginId}/${p.id}`, path: `/admin/p/${p.pluginId}/${p.id}`, icon: p.icon ?? 'puzzle', title: p.title });
  }
  return items;
}

export function settingsNav(): NavItem[] {
  const own: NavItem[] = KERNEL_SETTINGS.filter((p) => session.hasPlugin(p.plugin) && session.can(p.permission)).map((p) => ({
    id: p.id,
    path: `/admin/settings/${p.id}`,
    icon: 'chat',
    labelKey: `nav.${p.id}`,
  }));
  return [
    ...own,
    ...slots.settings
      .filter((p) => session.can(p.permission))
      .map((p) => ({ id: `${p.pluginId}/${p.id}`, path: `/admin/settings/${p.pluginId}/${p.id}`, icon: 'settings', title: p.title })),
  ];
}

export function agentNav(): NavItem[] {
  const items: NavItem[] = [];
  if (session.hasPlugin(CONVERSATIONS)) {
    if (session.can(P.workbench) || session.can(P.queue)) items.push({ id: 'workbench', path: '/agent', icon: 'chat', labelKey: 'nav.workbench', badge: workbench.unreadTotal });
    if (session.can(P.history)) items.push({ id: 'history', path: '/agent/history', icon: 'history', labelKey: 'nav.history' });
  }
  for (const p of slots.pages) {
    if (p.mode === 'agent' && session.can(p.permission)) items.push({ id: `${p.pluginId}/${p.id}`, path: `/agent/p/${p.pluginId}/${p.id}`, icon: p.icon ?? 'puzzle', title: p.title });
  }
  return items;
}

export function availableModes(): Mode[] {
  const modes: Mode[] = [];
  if (agentNav().length) modes.push('agent');
  if (adminNav().length || settingsNav().length) modes.push('admin');
  return modes;
}

const MODE_KEY = 'parley.mode';

export function rememberedMode(): Mode | null {
  try {
    const m = localStorage.getItem(MODE_KEY);
    return m === 'agent' || m === 'admin' ? m : null;
  } catch {
    return null;
  }
}

export function rememberMode(mode: Mode) {
  try {
    localStorage.setItem(MODE_KEY, mode);
  } catch {
    // the mode simply is not remembered
  }
}

export function homeOf(mode: Mode): string {
  const first = (mode === 'agent' ? agentNav() : [...adminNav(), ...settingsNav()])[0];
  return first?.path ?? '/';
}
