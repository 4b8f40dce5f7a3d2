/**
 * Named slots plugins fill with console UI. Each contribution names the permission it needs; the
 * console shows it only to members holding it. Cleared and refilled whenever the set of enabled
 * plugins changes, so a disabled plugin's contributions disappear at once.
 */
import type { Component } from 'svelte';
import type { LocalizedText } from '../../../../shared/i18n.ts';

/** A component, given directly or as a loader (`() => import('./Page.svelte')`) to keep the entry small. */
export interface ComponentSource {
  component?: Component<any>;
  load?: () => Promise<{ default: Component<any> }>;
}

export interface PageContribution extends ComponentSource {
  pluginId: string;
  /** Unique within the plugin; the page lives at `/<mode>/p/<pluginId>/<id>`. */
  id: string;
  mode: 'agent' | 'admin';
  title: LocalizedText | string;
  /** One of the console's icon names (see components/Icon.svelte), default `puzzle`. */
  icon?: string;
  permission?: string;
  order?: number;
}

export interface SettingsPageContribution extends ComponentSource {
  pluginId: string;
  id: string;
  title: LocalizedText | string;
  permission?: string;
  order?: number;
}

export interface ConversationTabContribution extends ComponentSource {
  pluginId: string;
  id: string;
  title: LocalizedText | string;
  permission?: string;
  order?: number;
}

export interface MessageRendererContribution extends ComponentSource {
  pluginId: string;
  /** The message type it draws (e.g. `emoji`). */
  type: string;
}

export interface ComposerButtonContribution extends ComponentSource {
  pluginId: string;
  id: string;
  title: LocalizedText | string;
  icon?: string;
  permission?: string;
  order?: number;
  /** Runs on click when there is no component; a component opens in a popover above the composer. */
  action?: (composer: ComposerHandle) => void | Promise<void>;
}

/** What a composer button may do to the conversation it sits in. */
export interface ComposerHandle {
  sessionId: string;
  insertText(text: string): void;
  /** Sends a message of any registered type; resolves once the server stored it. */
  send(type: string, content: Record<string, unknown>): Promise<void>;
  close(): void;
}

export interface Slots {
  pages: PageContribution[];
  settings: SettingsPageContribution[];
  conversationTabs: ConversationTabContribution[];
  messageRenderers: MessageRendererContribution[];
  composerButtons: ComposerButtonContribution[];
}

export const SLOT_NAMES = ['pages', 'settings', 'conversationTabs', 'messageRenderers', 'composerButtons'] as const;
export type SlotName = (typeof SLOT_NAMES)[number];

export const slots: Slots = $state({ pages: [], settings: [], conversationTabs: [], messageRenderers: [], composerButtons: [] });

export function clearSlots() {
  for (const name of SLOT_NAMES) slots[name].length = 0;
}

const byOrder = <T extends { order?: number }>(a: T, b: T) => (a.order ?? 100) - (b.order ?? 100);

/** Takes back whatever a plugin added (its register() failed half-way). */
export function removeContributions(pluginId: string) {
  for (const name of SLOT_NAMES) {
    const list = slots[name] as Array<{ pluginId: string }>;
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.pluginId === pluginId) list.splice(i, 1);
  }
}

export function contribute<N extends SlotName>(name: N, item: Slots[N][number]) {
  const list = slots[name] as Array<Slots[N][number]>;
  list.push(item);
  if (name !== 'messageRenderers') (list as Array<{ order?: number }>).sort(byOrder);
}

export function rendererFor(type: string): MessageRendererContribution | undefined {
  return slots.messageRenderers.find((r) => r.type === type);
}
