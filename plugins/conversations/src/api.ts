/**
 * What other plugins get from `ctx.dependency('conversations')`: new message types, conversation
 * side-panel tabs for the console, system messages and session lookups.
 */
import type { LocalizedText } from '../../../core/i18n.ts';
import type { MessageTypeDef, MessageTypes } from './message-types.ts';
import type { Messages } from './services/messages.ts';
import { T } from './db/tables.ts';
import { findRecord } from './db/sessions.ts';
import { agentSessionView } from './views.ts';
import { assertNoNul } from './text-guard.ts';
import type { Knex } from 'knex';
import type { AgentSessionView, MessageView } from './types.ts';

export interface SidePanelTab {
  /** The plugin that draws the tab; its console bundle exports slot `conversation.sidePanel.<key>`. */
  pluginId: string;
  key: string;
  label: LocalizedText;
  /** Lower comes first; the built-in profile tab is 0. */
  order?: number;
  /** A permission node the member needs to see the tab. */
  permission?: string;
  /** Usually the registering plugin's `ctx.isEnabled`. */
  isEnabled(tenantId: string): boolean | Promise<boolean>;
}

export interface ConversationsApi {
  registerMessageType(def: MessageTypeDef): void;
  addSidePanelTab(tab: SidePanelTab): void;
  postSystemMessage(tenantId: string, sessionId: string, body: Record<string, unknown>, opts?: { visibleToVisitor?: boolean }): Promise<MessageView>;
  getSession(tenantId: string, idOrCode: string): Promise<AgentSessionView | null>;
  /** Updates the visitor's name or email on their sessions (e.g. from the customer center). */
  setVisitorProfile(tenantId: string, visitorId: string, profile: { name?: string; email?: string }): Promise<void>;
}

export class SidePanelTabs {
  private readonly tabs: SidePanelTab[] = [{ pluginId: 'conversations', key: 'profile', label: { en: 'Profile', 'zh-CN': '访客资料' }, order: 0, isEnabled: () => true }];

  add(tab: SidePanelTab): void {
    if (!/^[a-z][a-z0-9-]{1,39}$/.test(tab.key)) throw new Error(`side panel tab key "${tab.key}" must be lowercase letters, digits and dashes`);
    if (this.tabs.some((t) => t.key === tab.key)) throw new Error(`side panel tab "${tab.key}" is added twice`);
    this.tabs.push(tab);
  }

  /** The tabs a member of the tenant sees, in order. */
  async visible(tenantId: string, allows: (permission: string) => boolean) {
    const out = [];
    for (const t of this.tabs) {
      if ((t.permission && !allows(t.permission)) || !(await t.isEnabled(tenantId))) continue;
      out.push({ pluginId: t.pluginId, key: t.key, label: t.label, order: t.order ?? 100 });
    }
    return out.sort((a, b) => a.order - b.order);
  }
}

export function conversationsApi(deps: { knex: Knex; types: MessageTypes; tabs: SidePanelTabs; messages: Messages }): ConversationsApi {
  return {
    registerMessageType: (def) => deps.types.register(def),
    addSidePanelTab: (tab) => deps.tabs.add(tab),
    postSystemMessage: (tenantId, sessionId, body, opts) => deps.messages.postSystem(tenantId, sessionId, body, opts?.visibleToVisitor === false ? 'agents' : 'all'),
    getSession: async (tenantId, idOrCode) => {
      const s = await findRecord(deps.knex, tenantId, idOrCode);
      return s ? agentSessionView(s) : null;
    },
    setVisitorProfile: async (tenantId, visitorId, profile) => {
      assertNoNul(profile, 'profile');
      const patch = { ...(profile.name !== undefined ? { visitor_name: profile.name.slice(0, 100) } : {}), ...(profile.email !== undefined ? { visitor_email: profile.email.slice(0, 254) } : {}) };
      if (Object.keys(patch).length) await deps.knex(T.sessions).where({ tenant_id: tenantId, visitor_id: visitorId }).update(patch);
    },
  };
}
