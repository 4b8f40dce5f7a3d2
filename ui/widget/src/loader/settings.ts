/**
 * The widget's options. Sources, later ones winning: the tenant's widget configuration (set by its
 * admins in Parley), the script tag's data- attributes, then `window.ParleySettings`. Anything
 * invalid is reported and replaced by its default rather than breaking the host page; only a
 * missing tenant stops the widget. The language follows the browser unless the site sets one.
 */
import type { WidgetConfig } from '../chat/protocol.ts';
import type { Locale, Position, PreChat, WidgetSettings } from '../contract.ts';

export const DEFAULT_COLOR = '#2563eb';

/** Options as a site gives them; every value is untrusted. */
export interface RawSettings {
  tenant?: unknown;
  title?: unknown;
  color?: unknown;
  position?: unknown;
  greeting?: unknown;
  language?: unknown;
  /** `off`, `optional` (name and email asked, not required), `required`, or a PreChat object. */
  preChat?: unknown;
}

export type SettingsResult = { ok: true; settings: WidgetSettings; warnings: string[] } | { ok: false; error: string };

/** Hex, rgb()/hsl() with plain numbers, or a named colour: nothing that could end a CSS declaration. */
const COLOR = /^(#[0-9a-f]{3,8}|[a-z]{3,30}|(rgb|rgba|hsl|hsla)\([0-9\s.,%/]+\))$/i;
const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;
const PRE_CHAT: Record<string, PreChat> = {
  off: { enabled: false, requireName: false, requireEmail: false },
  optional: { enabled: true, requireName: false, requireEmail: false },
  required: { enabled: true, requireName: true, requireEmail: true },
};

export function pickLocale(languages: readonly string[] | undefined, fallback: Locale = 'en'): Locale {
  for (const tag of languages ?? []) {
    const t = tag.toLowerCase();
    if (t.startsWith('zh')) return 'zh-CN';
    if (t.startsWith('en')) return 'en';
  }
  return fallback;
}

/** `data-pre-chat` arrives as dataset.preChat; the other attributes map one to one. */
export function fromDataset(dataset: Record<string, string | undefined>): RawSettings {
  const { tenant, title, color, position, greeting, language, preChat } = dataset;
  return { tenant, title, color, position, greeting, language, preChat };
}

/** The conversations plugin's default title: a tenant that kept it gets the widget's translated title. */
const UNSET_TENANT_TITLE = 'Chat with us';

/** The tenant's configuration as the lowest-priority source (its language only breaks ties). */
export function fromTenantConfig(config: WidgetConfig | undefined): RawSettings {
  if (!config) return {};
  const { title, color, position, greeting, preChat } = config;
  return { title: title === UNSET_TENANT_TITLE ? undefined : title, color, position, greeting, preChat };
}

function text(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t ? t.slice(0, max) : undefined;
}

function preChatOf(value: unknown): PreChat | undefined {
  if (typeof value === 'string') return PRE_CHAT[value];
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    return { enabled: v.enabled === true, requireName: v.requireName === true, requireEmail: v.requireEmail === true };
  }
  return undefined;
}

export function resolveSettings(
  sources: RawSettings[],
  context: { server: string; languages: readonly string[] | undefined; tenantLanguage?: unknown },
): SettingsResult {
  const raw: RawSettings = {};
  for (const s of sources) {
    for (const [k, v] of Object.entries(s)) if (v !== undefined && v !== null && v !== '') (raw as Record<string, unknown>)[k] = v;
  }
  const tenant = typeof raw.tenant === 'string' ? raw.tenant.trim().toLowerCase() : '';
  if (!SLUG.test(tenant)) return { ok: false, error: 'data-tenant must be your tenant slug (letters, digits and dashes)' };

  const warnings: string[] = [];
  const pick = <T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T => {
    if (value === undefined) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    warnings.push(`${name} must be one of ${allowed.join(', ')}; using ${fallback}`);
    return fallback;
  };
  let color = DEFAULT_COLOR;
  if (raw.color !== undefined) {
    if (typeof raw.color === 'string' && COLOR.test(raw.color.trim())) color = raw.color.trim();
    else warnings.push(`color is not a CSS colour; using ${DEFAULT_COLOR}`);
  }
  let preChat = PRE_CHAT.off!;
  if (raw.preChat !== undefined) {
    const p = preChatOf(raw.preChat);
    if (p) preChat = p;
    else warnings.push('preChat must be one of off, optional, required; using off');
  }
  const tenantLocale: Locale = context.tenantLanguage === 'zh-CN' ? 'zh-CN' : 'en';
  const settings: WidgetSettings = {
    tenant,
    server: context.server,
    title: text(raw.title, 80),
    color,
    position: pick<Position>('position', raw.position, ['right', 'left'], 'right'),
    greeting: text(raw.greeting, 500),
    locale: pick<Locale>('language', raw.language, ['en', 'zh-CN'], pickLocale(context.languages, tenantLocale)),
    preChat,
  };
  return { ok: true, settings, warnings };
}

/** Parley's base URL: where widget.js came from, minus the file name. */
export function serverFromScript(src: string): string {
  const url = new URL(src);
  return url.origin + url.pathname.replace(/\/widget\.js$/, '').replace(/\/$/, '');
}
