/** The launcher's few words; the chat bundle carries its own, larger dictionary. */
import type { Locale } from '../contract.ts';

export interface LoaderStrings {
  open: string;
  close: string;
  openUnread(count: number): string;
}

export const LOADER_STRINGS: Record<Locale, LoaderStrings> = {
  en: { open: 'Open chat', close: 'Close chat', openUnread: (n) => `Open chat, ${n} unread` },
  'zh-CN': { open: '打开在线咨询', close: '关闭在线咨询', openUnread: (n) => `打开在线咨询，${n} 条未读` },
};
