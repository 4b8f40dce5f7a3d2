/**
 * `/widget.js`: the one script a site embeds. It stays small (launcher, settings, a call queue) and
 * loads the chat bundle, with socket.io, only when the visitor opens the chat, when the site calls
 * `sendText`, or when the visitor already has a conversation going. The build wraps this file in a
 * function, so `window.Parley` is the only global it creates.
 */
import type { WidgetConfig } from '../chat/protocol.ts';
import type { ChatController, Identity, LoaderBridge, MountChat, WidgetEventName, WidgetSettings } from '../contract.ts';
import { EVENT_NAMES, createListeners, type Listener } from './events.ts';
import { createLauncher, type Launcher } from './launcher.ts';
import { fromDataset, fromTenantConfig, resolveSettings, serverFromScript, type RawSettings } from './settings.ts';
import { LOADER_STRINGS } from './strings.ts';
import { read, write } from './storage.ts';

/** Replaced at build time by the hashed file name of the chat bundle (see vite.config.ts). */
const CHAT_FILE = '__PARLEY_CHAT_FILE__';
const CONFIG_TIMEOUT_MS = 4000;

type Win = Window & { Parley?: unknown; ParleySettings?: RawSettings };

function findScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.src) return current;
  // `currentScript` is null when another script re-inserts this one; fall back to the tag itself.
  return document.querySelector<HTMLScriptElement>('script[data-tenant][src*="widget.js"]');
}

/**
 * The tenant's widget configuration. `missing` when Parley says there is no chat for this tenant
 * (unknown slug, chat disabled); undefined when it cannot be had, and the widget starts with defaults.
 */
async function fetchTenantConfig(server: string, tenant: string): Promise<WidgetConfig | 'missing' | undefined> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), CONFIG_TIMEOUT_MS);
  try {
    const res = await fetch(`${server}/api/conversations/public/${encodeURIComponent(tenant)}/widget-config`, { signal: abort.signal });
    if (res.status === 404) return 'missing';
    return res.ok ? ((await res.json()) as WidgetConfig) : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

const bodyReady = () =>
  new Promise<void>((resolve) => {
    if (document.body) resolve();
    else document.addEventListener('DOMContentLoaded', () => resolve(), { once: true });
  });

function start(): void {
  const win = window as Win;
  const existing = win.Parley as { version?: string } | unknown[] | undefined;
  if (existing && !Array.isArray(existing)) return; // embedded twice: the first copy stays in charge
  const script = findScript();
  if (!script) return console.error('[Parley] cannot find the <script> tag of widget.js');
  const siteSources = [fromDataset(script.dataset), win.ParleySettings ?? {}];
  const server = serverFromScript(script.src);
  const early = resolveSettings(siteSources, { server, languages: navigator.languages });
  if (!early.ok) return console.error(`[Parley] ${early.error}`);
  const tenant = early.settings.tenant;
  const key = (name: string) => `parley:${tenant}:${name}`;

  const listeners = createListeners();
  let settings: WidgetSettings | undefined;
  let tenantConfig: WidgetConfig | undefined;
  let launcher: Launcher | undefined;
  let chat: ChatController | undefined;
  let loading: Promise<ChatController> | undefined;
  let isOpen = false;
  let identity: Identity | undefined;
  let ready = false;
  let mounted!: () => void;
  const whenMounted = new Promise<void>((resolve) => (mounted = resolve));

  const loadChat = (): Promise<ChatController> => {
    loading ??= (async () => {
      await whenMounted;
      launcher!.setLoading(true);
      try {
        const mod = (await import(/* @vite-ignore */ `${server}/widget/${CHAT_FILE}`)) as { mount: MountChat };
        const bridge: LoaderBridge = {
          root: launcher!.root,
          settings: settings!,
          tenantConfig,
          identity,
          emit: (event, data) => listeners.emit(event, data),
          setUnread: (n) => launcher!.setUnread(n),
          requestClose: () => api.close(),
          setConversationActive: (active) => write('local', key('active'), active ? '1' : null),
          load: (name) => read('local', key(name)),
          save: (name, value) => write('local', key(name), value),
        };
        chat = mod.mount(bridge);
        chat.setOpen(isOpen);
        return chat;
      } catch (err) {
        loading = undefined; // the next attempt tries again
        throw err;
      } finally {
        launcher!.setLoading(false);
      }
    })();
    return loading;
  };

  const withChat = (fn: (c: ChatController) => unknown) => {
    loadChat().then(fn).catch((err) => console.error('[Parley] the chat could not be loaded', err));
  };

  const setOpen = (open: boolean) => {
    if (open === isOpen) return;
    isOpen = open;
    write('session', key('open'), open ? '1' : null);
    launcher?.setOpen(open);
    if (open) withChat((c) => c.setOpen(isOpen));
    else chat?.setOpen(false);
    listeners.emit(open ? 'open' : 'close');
  };

  const api = {
    version: '1',
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!isOpen),
    /** Identifies the visitor as a known user of the site; applied now or when the chat starts. */
    identify(value: Identity): Promise<void> {
      if (!value || typeof value.externalId !== 'string' || typeof value.signature !== 'string') {
        return Promise.reject(new TypeError('Parley.identify needs { externalId, signature }'));
      }
      identity = { externalId: value.externalId, signature: value.signature, name: value.name, email: value.email };
      return chat ? chat.identify(identity) : Promise.resolve();
    },
    sendText(text: string): Promise<void> {
      if (typeof text !== 'string' || !text.trim()) return Promise.reject(new TypeError('Parley.sendText needs some text'));
      return loadChat().then((c) => c.sendText(text));
    },
    on(event: WidgetEventName, fn: Listener): () => void {
      if (!EVENT_NAMES.includes(event)) throw new TypeError(`Parley.on: unknown event "${event}" (one of ${EVENT_NAMES.join(', ')})`);
      if (typeof fn !== 'function') throw new TypeError('Parley.on needs a function');
      const off = listeners.add(event, fn);
      if (event === 'ready' && ready) fn(); // late listeners still hear that the widget is ready
      return off;
    },
    off(event: WidgetEventName, fn: Listener): void {
      listeners.remove(event, fn);
    },
  };
  win.Parley = api;

  // Calls queued before widget.js arrived: `window.Parley = window.Parley || []; Parley.push(['open'])`.
  for (const entry of Array.isArray(existing) ? existing : []) {
    const [method, ...args] = (Array.isArray(entry) ? entry : []) as [keyof typeof api, ...unknown[]];
    const fn = api[method];
    if (typeof fn === 'function') (fn as (...a: unknown[]) => unknown)(...args);
  }

  void Promise.all([fetchTenantConfig(server, tenant), bodyReady()]).then(([config]) => {
    if (config === 'missing') return console.error(`[Parley] there is no chat for the tenant "${tenant}" on ${server}`);
    tenantConfig = config;
    const resolved = resolveSettings([fromTenantConfig(config), ...siteSources], { server, languages: navigator.languages, tenantLanguage: config?.language });
    if (!resolved.ok) return; // cannot happen: the site's tenant was valid above
    for (const w of resolved.warnings) console.warn(`[Parley] ${w}`);
    settings = resolved.settings;
    launcher = createLauncher(settings, LOADER_STRINGS[settings.locale], api.toggle);
    launcher.setOpen(isOpen);
    mounted();
    if (read('session', key('open'))) api.open();
    else if (read('local', key('active'))) withChat(() => undefined); // hear replies to a conversation in progress
    ready = true;
    listeners.emit('ready');
  });
}

start();
