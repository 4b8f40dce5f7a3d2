/**
 * Who is signed in and what they may see: the kernel's console bootstrap (member, tenant, grants,
 * enabled plugins with their UI module, permission tree), reloaded after anything that changes it.
 */
import { api } from './api.ts';
import { grantsCover, type PermissionTreeNode } from './permissions.ts';
import type { LocalizedText } from '../../../shared/i18n.ts';

export interface Member {
  id: string;
  email: string;
  name: string;
  roleKey: string;
  disabled: boolean;
  createdAt: string;
}

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  edition: string;
  addons: string[];
  seats: number;
  createdAt: string;
}

export interface EnabledPlugin {
  id: string;
  version: string;
  title: LocalizedText;
  /** URL of the plugin's console module, or null when it has no console UI. */
  ui: string | null;
}

export interface Bootstrap {
  member: Member;
  tenant: Tenant;
  grants: string[];
  plugins: EnabledPlugin[];
  permissions: PermissionTreeNode[];
  /** Added by the conversations plugin's bootstrap filter. */
  conversations?: {
    protocolVersion: number;
    sidePanelTabs: Array<{ pluginId: string; key: string; label: LocalizedText; order: number }>;
    messageTypes: string[];
  };
}

const state = $state<{ data: Bootstrap | null }>({ data: null });

export const session = {
  get data(): Bootstrap | null {
    return state.data;
  },
  get member(): Member {
    return state.data!.member;
  },
  get tenant(): Tenant {
    return state.data!.tenant;
  },
  can(permission: string | undefined): boolean {
    if (!permission) return true;
    return !!state.data && grantsCover(state.data.grants, permission);
  },
  hasPlugin(id: string): boolean {
    return !!state.data?.plugins.some((p) => p.id === id);
  },
  async load(): Promise<Bootstrap> {
    const data = await api.get<Bootstrap>('/api/console/bootstrap');
    state.data = data;
    return data;
  },
  clear() {
    state.data = null;
  },
  async login(input: { tenant: string; email: string; password: string; remember: boolean }) {
    await api.post('/api/auth/login', input, { quiet401: true });
    // /me records a remembered session reopening the console; after a login it only confirms the cookie.
    await api.get('/api/auth/me');
    return this.load();
  },
  async logout() {
    try {
      await api.post('/api/auth/logout', {}, { quiet401: true });
    } finally {
      state.data = null;
    }
  },
};
