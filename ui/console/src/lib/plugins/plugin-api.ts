/**
 * The object a plugin's console module receives in `register(api)`: its way to add UI to the named
 * slots and to reach the kernel (HTTP under `/api/<plugin id>`, the agent socket, translations,
 * permissions). Plugins use nothing else from the console.
 */
import { api as http } from '../api.ts';
import { errorText, i18n, t, tx } from '../i18n.svelte.ts';
import { realtime } from '../realtime.svelte.ts';
import { router } from '../router.svelte.ts';
import { session } from '../session.svelte.ts';
import { contribute } from './slots.svelte.ts';
import type { ConsolePluginApi } from '../../../plugin-api.d.ts';

export type { ConsolePluginApi } from '../../../plugin-api.d.ts';

function needsComponent(kind: string, item: { component?: unknown; load?: unknown }, pluginId: string) {
  if (!item.component && !item.load) throw new Error(`plugin ${pluginId}: ${kind} needs a component or load()`);
}

export function createPluginApi(pluginId: string): ConsolePluginApi {
  const url = (u: string) => (u.startsWith('/') ? u : `/api/${pluginId}/${u}`);
  return {
    pluginId,
    get locale() {
      return i18n.locale;
    },
    get member() {
      const m = session.member;
      return { id: m.id, name: m.name, email: m.email, roleKey: m.roleKey };
    },
    get tenant() {
      const tn = session.tenant;
      return { id: tn.id, slug: tn.slug, name: tn.name, edition: tn.edition };
    },
    messages: (dicts) => i18n.extend(`plugins.${pluginId}`, dicts),
    t: (key, params) => t(`plugins.${pluginId}.${key}`, params),
    tx,
    errorText,
    can: (permission) => session.can(permission),
    navigate: (path) => router.go(path),
    http: {
      get: (u, opts) => http.get(url(u), opts),
      post: (u, body) => http.post(url(u), body),
      put: (u, body) => http.put(url(u), body),
      patch: (u, body) => http.patch(url(u), body),
      delete: (u) => http.delete(url(u)),
    },
    socket: { request: (event, payload) => realtime.request(event, payload), on: (event, handler) => realtime.on(event, handler) },
    addPage(page) {
      needsComponent('page', page, pluginId);
      contribute('pages', { ...page, pluginId });
    },
    addSettingsPage(page) {
      needsComponent('settings page', page, pluginId);
      contribute('settings', { ...page, pluginId });
    },
    addConversationTab(tab) {
      needsComponent('conversation tab', tab, pluginId);
      contribute('conversationTabs', { ...tab, pluginId });
    },
    addMessageRenderer(renderer) {
      needsComponent('message renderer', renderer, pluginId);
      contribute('messageRenderers', { ...renderer, pluginId });
    },
    addComposerButton(button) {
      if (!button.action) needsComponent('composer button', button, pluginId);
      contribute('composerButtons', { ...button, pluginId });
    },
  };
}

const apis = new Map<string, ConsolePluginApi>();

/** The one api object of a plugin, also handed to its components as the `api` prop. */
export function pluginApi(pluginId: string): ConsolePluginApi {
  let a = apis.get(pluginId);
  if (!a) apis.set(pluginId, (a = createPluginApi(pluginId)));
  return a;
}
