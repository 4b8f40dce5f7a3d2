/**
 * What the loader (`/widget.js`) and the lazily loaded chat bundle agree on. Types only: the two
 * bundles must share no runtime code, or the build would pull a shared chunk into the loader.
 */
import type { WidgetConfig } from './chat/protocol.ts';

export type Locale = 'en' | 'zh-CN';
export type Position = 'left' | 'right';
/** Ask the visitor's name and email before the first message (as in the tenant's widget configuration). */
export interface PreChat {
  enabled: boolean;
  requireName: boolean;
  requireEmail: boolean;
}

export interface WidgetSettings {
  /** Tenant slug. */
  tenant: string;
  /** Parley's origin and path prefix, e.g. `https://chat.example.com` (no trailing slash). */
  server: string;
  title?: string;
  /** Accent colour of the launcher and the chat header (any CSS colour). */
  color: string;
  position: Position;
  greeting?: string;
  locale: Locale;
  preChat: PreChat;
}

export interface Identity {
  externalId: string;
  /** HMAC-SHA256 of externalId with the tenant's identity secret, base64url (signed by the site's server). */
  signature: string;
  name?: string;
  email?: string;
}

/** Events the host page can listen to with `Parley.on(event, fn)`. */
export type WidgetEventName = 'message' | 'sessionClosed' | 'open' | 'close' | 'ready';

/** A message as the host page sees it in the `message` event. */
export interface PublicMessage {
  id: string;
  sessionId: string;
  seq: number;
  from: 'visitor' | 'agent' | 'system';
  type: string;
  text?: string;
  createdAt: string;
}

/** Given by the loader to the chat bundle's `mount`. */
export interface LoaderBridge {
  root: ShadowRoot;
  settings: WidgetSettings;
  /** The tenant's widget configuration, when the loader could fetch it. */
  tenantConfig?: WidgetConfig;
  /** Who the site said the visitor is before the chat started (`Parley.identify`). */
  identity?: Identity;
  /** Delivers an event to the host page's listeners. */
  emit(event: WidgetEventName, data?: unknown): void;
  /** Unread messages, for the launcher badge. */
  setUnread(count: number): void;
  /** The visitor closed the window from inside the chat (header button, Escape). */
  requestClose(): void;
  /** The visitor has a conversation going: the loader then starts the chat on the next page view. */
  setConversationActive(active: boolean): void;
  /** localStorage scoped to this tenant's widget; null when storage is unavailable. */
  load(key: string): string | null;
  save(key: string, value: string | null): void;
}

export interface ChatController {
  setOpen(open: boolean): void;
  identify(identity: Identity): Promise<void>;
  sendText(text: string): Promise<void>;
}

export type MountChat = (bridge: LoaderBridge) => ChatController;
