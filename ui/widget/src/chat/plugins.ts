/**
 * The widget's plugin extension point: imports the `ui.widget` modules of the plugins the tenant
 * has enabled (listed by GET /api/visitor/ui/:tenant) and hands each `register(api)` the API of
 * plugins/custom-emoji/ui/widget/contract.ts. A failing plugin is reported and skipped, never
 * breaking the chat.
 */
import type { Locale } from '../contract.ts';
import type { ApiClient } from './api-client.ts';

export interface WidgetComposer {
  send(type: string, body: Record<string, unknown>): Promise<void>;
  close(): void;
}

export interface WidgetComposerButton {
  id: string;
  title: Record<Locale, string>;
  icon: string;
  open(panel: HTMLElement, composer: WidgetComposer): void | (() => void);
}

export interface WidgetMessage {
  type: string;
  body: Record<string, unknown>;
  from: 'visitor' | 'agent';
}

export type MessageRenderer = (message: WidgetMessage) => HTMLElement;

export interface WidgetPluginApi {
  readonly pluginId: string;
  readonly locale: Locale;
  readonly server: string;
  get<T>(path: string): Promise<T>;
  addComposerButton(button: WidgetComposerButton): void;
  addMessageRenderer(type: string, render: MessageRenderer): void;
  addStyles(css: string): void;
}

/** What the chat window offers plugins. */
export interface PluginSlots {
  addComposerButton(pluginId: string, button: WidgetComposerButton): void;
  addMessageRenderer(type: string, render: MessageRenderer): void;
  addStyles(css: string): void;
}

interface PluginModule {
  register?: (api: WidgetPluginApi) => void | Promise<void>;
}

export async function loadPlugins(api: ApiClient, locale: Locale, slots: PluginSlots): Promise<void> {
  let listed: Array<{ id: string; url: string }>;
  try {
    listed = (await api.widgetPlugins()).plugins;
  } catch (err) {
    console.warn('[parley] the widget plugins cannot be listed', err);
    return;
  }
  await Promise.all(listed.map(async ({ id, url }) => {
    try {
      const mod = (await import(/* @vite-ignore */ api.server + url)) as PluginModule;
      if (typeof mod.register !== 'function') throw new Error('the module has no register(api) export');
      await mod.register({
        pluginId: id,
        locale,
        server: api.server,
        get: (path) => api.pluginGet(id, path),
        addComposerButton: (button) => slots.addComposerButton(id, button),
        addMessageRenderer: (type, render) => slots.addMessageRenderer(type, render),
        addStyles: (css) => slots.addStyles(css),
      });
    } catch (err) {
      console.warn(`[parley] the widget plugin "${id}" failed to load`, err);
    }
  }));
}
