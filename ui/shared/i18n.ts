/**
 * A tiny i18n core shared by Parley's browser apps: dictionaries of nested keys, `{name}`
 * placeholders, a locale picked from the browser. No runtime dependency; apps wrap it in their own
 * reactive store.
 */
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

/** Text given in every shipped language (plugin titles, permission labels). */
export type LocalizedText = Record<Locale, string>;

export interface Dict {
  [key: string]: string | Dict;
}

/** Same shape as `T` with every leaf a string: keeps translations in step with the source language. */
export type Translation<T> = { [K in keyof T]: T[K] extends string ? string : Translation<T[K]> };

export type Params = Record<string, string | number>;

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The best shipped locale for a list of browser languages (`navigator.languages`). */
export function pickLocale(preferred: readonly string[] | undefined, fallback: Locale = 'en'): Locale {
  for (const raw of preferred ?? []) {
    const tag = raw.toLowerCase();
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return fallback;
}

export function lookup(dict: Dict | undefined, key: string): string | undefined {
  let node: string | Dict | undefined = dict;
  for (const part of key.split('.')) {
    if (node === undefined || typeof node === 'string') return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

export function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * Translates `key` in `locale`, falling back to English and then to the key itself, so a missing
 * string shows up as something a developer recognises rather than as a blank.
 */
export function translate(dicts: Partial<Record<Locale, Dict>>, locale: Locale, key: string, params?: Params): string {
  const text = lookup(dicts[locale], key) ?? lookup(dicts.en, key) ?? key;
  return interpolate(text, params);
}

/** Picks the text of a `{en, 'zh-CN'}` object, tolerating missing languages. */
export function localized(text: Partial<LocalizedText> | string | undefined | null, locale: Locale): string {
  if (!text) return '';
  if (typeof text === 'string') return text;
  return text[locale] ?? text.en ?? Object.values(text)[0] ?? '';
}

/** Every leaf key of a dictionary, dotted (`a.b.c`); used to check translations are complete. */
export function leafKeys(dict: Dict, prefix = ''): string[] {
  return Object.entries(dict).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : leafKeys(v, `${prefix}${k}.`)));
}

/** Placeholder names used in a template, sorted (`{a} {b}` -> ['a', 'b']). */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
}
