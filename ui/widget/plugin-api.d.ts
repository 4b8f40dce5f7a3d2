/**
 * Types of the widget plugin API: what a plugin's `ui.widget` module receives in `register(api)`
 * (ui/widget/src/chat/plugins.ts hands it over), mirroring the console's composer-button and
 * message-renderer slots. Everything is plain DOM inside the widget's shadow root. Types only, so
 * a plugin's module stays self-contained: import them with `import type` (TypeScript) or
 * `@param {import('…/ui/widget/plugin-api').WidgetPluginApi} api` (JSDoc).
 */
import type { Locale } from './src/contract.ts';

export type WidgetLocale = Locale;

export interface WidgetComposer {
  /** Sends a message of any registered type in the visitor's current session; resolves once stored. */
  send(type: string, body: Record<string, unknown>): Promise<void>;
  /** Closes the popover the button opened. */
  close(): void;
}

export interface WidgetComposerButton {
  id: string;
  title: Record<WidgetLocale, string>;
  /** SVG path data (24×24 view box, stroked), drawn like the widget's own icons. */
  icon: string;
  /** Fills the popover shown above the composer; may return a cleanup function. */
  open(panel: HTMLElement, composer: WidgetComposer): void | (() => void);
}

export interface WidgetMessage {
  type: string;
  body: Record<string, unknown>;
  from: 'visitor' | 'agent';
}

/** Draws a message's content (the bubble's inside). */
export type MessageRenderer = (message: WidgetMessage) => HTMLElement;

export interface WidgetPluginApi {
  readonly pluginId: string;
  readonly locale: WidgetLocale;
  /** Parley's origin (and path prefix): server-relative URLs in message bodies resolve against it. */
  readonly server: string;
  /** GET `/api/<pluginId>/<path>` with the visitor's token; rejects with `{ code, message }`. */
  get<T>(path: string): Promise<T>;
  addComposerButton(button: WidgetComposerButton): void;
  /** Draws messages of `type` in the log. */
  addMessageRenderer(type: string, render: MessageRenderer): void;
  /** CSS for the widget's shadow root; class names should start with the plugin id. */
  addStyles(css: string): void;
}

/** What a plugin's `ui.widget` module exports. */
export interface WidgetPluginModule {
  register?: (api: WidgetPluginApi) => void | Promise<void>;
}
