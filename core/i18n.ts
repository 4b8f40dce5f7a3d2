/** Text shown to people, in every language the console ships. */
export interface LocalizedText {
  en: string;
  'zh-CN': string;
}
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];
