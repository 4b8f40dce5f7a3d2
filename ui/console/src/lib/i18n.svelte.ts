/**
 * The console's reactive i18n: the current locale (chosen by the user, else the browser's), the
 * console's dictionaries plus those plugins add under `plugins.<id>`, and translation of API error
 * codes.
 */
import { isLocale, localized, pickLocale, translate, type Dict, type Locale, type LocalizedText, type Params } from '../../../shared/i18n.ts';
import { en } from '../locales/en.ts';
import { zhCN } from '../locales/zh-CN.ts';
import { ApiError } from './api.ts';

const STORAGE_KEY = 'parley.locale';

function initialLocale(): Locale {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isLocale(stored)) return stored;
  } catch {
    // storage can be blocked; the browser language still applies
  }
  return pickLocale(typeof navigator === 'undefined' ? [] : navigator.languages);
}

const dicts: Record<Locale, Dict> = { en: structuredClone(en) as Dict, 'zh-CN': structuredClone(zhCN) as Dict };
const state = $state({ locale: initialLocale(), revision: 0 });

function applyDocumentLanguage(locale: Locale) {
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}
applyDocumentLanguage(state.locale);

export const i18n = {
  get locale(): Locale {
    return state.locale;
  },
  setLocale(locale: Locale) {
    state.locale = locale;
    applyDocumentLanguage(locale);
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // not persisted; the choice still holds for this page
    }
  },
  /** Adds dictionaries under `namespace` (plugins use `plugins.<id>`). */
  extend(namespace: string, more: Partial<Record<Locale, Dict>>) {
    for (const locale of ['en', 'zh-CN'] as const) {
      const add = more[locale];
      if (!add) continue;
      let node = dicts[locale];
      for (const part of namespace.split('.')) {
        if (typeof node[part] !== 'object') node[part] = {};
        node = node[part] as Dict;
      }
      Object.assign(node, add);
    }
    state.revision++;
  },
};

/** Translates a key in the current locale (re-runs reactively when the locale changes). */
export function t(key: string, params?: Params): string {
  void state.revision;
  return translate(dicts, state.locale, key, params);
}

/** The current-locale text of a `{en, 'zh-CN'}` object from the server or a plugin. */
export function tx(text: Partial<LocalizedText> | string | undefined | null): string {
  return localized(text, state.locale);
}

/** A person-readable message for anything thrown: known API codes are translated, others keep the server's words. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const key = `errors.${err.code}`;
    const text = t(key, { field: err.field ?? '', message: err.message });
    return text === key ? err.message : text;
  }
  if (err instanceof Error && err.message) return err.message;
  return t('errors.UNKNOWN');
}

/** A count in the current locale's digits grouping (10,000). */
export function formatNumber(n: number): string {
  return new Intl.NumberFormat(state.locale).format(n);
}

export function formatDateTime(iso: string | number | Date | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(state.locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function formatTime(iso: string | number | Date | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const sameDay = d.toDateString() === new Date().toDateString();
  return new Intl.DateTimeFormat(state.locale, sameDay ? { timeStyle: 'short' } : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(d);
}
