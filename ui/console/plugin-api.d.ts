/**
 * Types of the console plugin API: what a plugin's `ui.console` module receives in `register(api)`
 * and the props its components get. Types only — import them with `import type` (TypeScript) or
 * `@param {import('…/ui/console/plugin-api').ConsolePluginApi} api` (JSDoc). See docs/plugins-ui.md.
 */
import type { Component } from 'svelte';
import type { Message, Session } from './src/lib/conversations/types.ts';

export type Locale = 'en' | 'zh-CN';
export type LocalizedText = Record<Locale, string>;
export interface Dict {
  [key: string]: string | Dict;
}

/** A component, given directly or as a loader (`load: () => import('./Page.svelte')`) fetched on first use. */
export interface ComponentSource {
  component?: Component<any>;
  load?: () => Promise<{ default: Component<any> }>;
}

/** A page in the navigation of agent or admin mode, at `/console/<mode>/p/<plugin id>/<id>`. */
export interface PageContribution extends ComponentSource {
  id: string;
  mode: 'agent' | 'admin';
  title: LocalizedText | string;
  /** An icon name of the console (chat, history, users, shield, puzzle, key, building, settings, group, book, smile, …). */
  icon?: string;
  /** The permission node a member needs to see the page. */
  permission?: string;
  /** Lower comes first (default 100). */
  order?: number;
}

/** A page under "Settings" in admin mode, at `/console/admin/settings/<plugin id>/<id>`. */
export interface SettingsPageContribution extends ComponentSource {
  id: string;
  title: LocalizedText | string;
  permission?: string;
  order?: number;
}

/**
 * A tab of the conversation side panel (after the visitor profile). When the plugin's server also
 * declares the tab (conversations API `addSidePanelTab({ key })`), `id` must equal that key: the
 * server's label, order and permission then apply.
 */
export interface ConversationTabContribution extends ComponentSource {
  id: string;
  title: LocalizedText | string;
  permission?: string;
  order?: number;
}

/** Draws messages of a type the plugin registered on the server (`registerMessageType`). */
export interface MessageRendererContribution extends ComponentSource {
  type: string;
}

/** What a composer button may do to the conversation it sits in. */
export interface ComposerHandle {
  readonly sessionId: string;
  insertText(text: string): void;
  /** Sends a message of any type the server accepts; resolves once it is stored (a failure shows in the chat with retry). */
  send(type: string, body: Record<string, unknown>): Promise<void>;
  /** Closes the button's popover. */
  close(): void;
}

/** A button in the chat composer: runs `action`, or opens its component in a popover above the composer. */
export interface ComposerButtonContribution extends ComponentSource {
  id: string;
  title: LocalizedText | string;
  icon?: string;
  permission?: string;
  order?: number;
  action?: (composer: ComposerHandle) => void | Promise<void>;
}

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
}

export interface ConsolePluginApi {
  readonly pluginId: string;
  /** The current language (reactive inside components). */
  readonly locale: Locale;
  readonly member: { id: string; name: string; email: string; roleKey: string };
  readonly tenant: { id: string; slug: string; name: string; edition: string };
  /** Adds the plugin's translations; `t('a.b')` then reads `plugins.<id>.a.b`. */
  messages(dicts: Partial<Record<Locale, Dict>>): void;
  t(key: string, params?: Record<string, string | number>): string;
  /** The current-language text of a `{ en, 'zh-CN' }` object. */
  tx(text: LocalizedText | string): string;
  /** A person-readable, translated message for an error thrown by `http` or `socket`. */
  errorText(err: unknown): string;
  /** Whether the signed-in member holds a permission node. */
  can(permission: string): boolean;
  /** Goes to a console path, e.g. `/agent/p/<plugin id>/<page id>`. */
  navigate(path: string): void;
  /** Same-origin JSON requests with the member's session. Relative URLs are under `/api/<plugin id>/`. Errors are thrown as `{ statusCode, code, message, field? }`. */
  http: {
    get<T = unknown>(url: string, opts?: RequestOptions): Promise<T>;
    post<T = unknown>(url: string, body?: unknown): Promise<T>;
    put<T = unknown>(url: string, body?: unknown): Promise<T>;
    patch<T = unknown>(url: string, body?: unknown): Promise<T>;
    delete<T = unknown>(url: string): Promise<T>;
  };
  /** The console's `/agent` socket: events the plugin registered with `ctx.realtime.on('agent', …)`. */
  socket: {
    request<T = unknown>(event: string, payload?: unknown): Promise<T>;
    on<T = unknown>(event: string, handler: (data: T) => void): () => void;
  };
  addPage(page: PageContribution): void;
  addSettingsPage(page: SettingsPageContribution): void;
  addConversationTab(tab: ConversationTabContribution): void;
  addMessageRenderer(renderer: MessageRendererContribution): void;
  addComposerButton(button: ComposerButtonContribution): void;
}

/** The module a manifest's `ui.console` names. */
export interface ConsolePluginModule {
  register(api: ConsolePluginApi): void | Promise<void>;
}

/** Props of each kind of contributed component. */
export interface PageProps {
  api: ConsolePluginApi;
}
export interface ConversationTabProps {
  api: ConsolePluginApi;
  session: Session;
  visitor: Session['visitor'];
}
export interface MessageRendererProps {
  api: ConsolePluginApi;
  message: Message | (Pick<Message, 'type' | 'body'> & { clientMsgId: string; state: 'sending' | 'failed' });
}
export interface ComposerPopoverProps {
  api: ConsolePluginApi;
  composer: ComposerHandle;
}

export type { Message, Session };
