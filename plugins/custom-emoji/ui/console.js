// Console UI of the custom-emoji plugin: the admin page (Settings > Custom emoji), the composer's
// emoji picker (only for members holding "enable custom emoji") and the message renderer. Plain JS
// so the repository's tsc run does not need Svelte types; the components are in ./console/.
import EmojiMessage from './console/EmojiMessage.svelte';
import { MESSAGES } from './console/messages.js';

export function register(api) {
  api.messages(MESSAGES);
  api.addSettingsPage({
    id: 'packs',
    title: { en: 'Custom emoji', 'zh-CN': '自定义表情' },
    permission: 'settings.custom-emoji',
    order: 60,
    load: () => import('./console/SettingsPage.svelte'),
  });
  api.addComposerButton({
    id: 'picker',
    title: { en: 'Custom emoji', 'zh-CN': '自定义表情' },
    icon: 'smile',
    permission: 'conversations.custom-emoji',
    order: 20,
    load: () => import('./console/Picker.svelte'),
  });
  api.addMessageRenderer({ type: 'custom-emoji', component: EmojiMessage });
}
