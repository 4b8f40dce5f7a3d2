/**
 * The widget's plugin extension point: imports the `ui.widget` modules of the plugins the tenant
 * has enabled (listed by GET /api/visitor/ui/:tenant) and hands each `register(api)` the API typed
 * in ui/widget/plugin-api.d.ts. A failing plugin is reported and skipped, never breaking the chat.
 */
import type { Locale } from '../contract.ts';
import type { MessageRenderer, WidgetComposerButton, WidgetPluginModule } from '../../plugin-api.d.ts';
import type { ApiClient } from './api-client.ts';

/** What the chat window offers plugins. */
export interface PluginSlots {
  addComposerButton(pluginId: string, button: WidgetComposerButton): void;
  addMessageRenderer(type: string, render: MessageRenderer): void;
  addStyles(css: string): void;
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
      const mod = (await import(/* @vite-ignore */ api.server + url)) as WidgetPluginModule;
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
