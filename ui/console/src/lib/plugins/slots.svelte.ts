/**
 * Named slots plugins fill with console UI. Each contribution names the permission it needs; the
 * console shows it only to members holding it. Cleared and refilled whenever the set of enabled
 * plugins changes, so a disabled plugin's contributions disappear at once.
 */
import type {
  ComposerButtonContribution as ComposerButton,
  ConversationTabContribution as ConversationTab,
  MessageRendererContribution as MessageRenderer,
  PageContribution as Page,
  SettingsPageContribution as SettingsPage,
} from '../../../plugin-api.d.ts';

export type { ComponentSource, ComposerHandle } from '../../../plugin-api.d.ts';

/** A contribution as stored: what the plugin gave plus the plugin it came from. */
type Owned<T> = T & { pluginId: string };
export type PageContribution = Owned<Page>;
export type SettingsPageContribution = Owned<SettingsPage>;
export type ConversationTabContribution = Owned<ConversationTab>;
export type MessageRendererContribution = Owned<MessageRenderer>;
export type ComposerButtonContribution = Owned<ComposerButton>;

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
