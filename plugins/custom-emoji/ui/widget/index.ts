/**
 * The visitor side of custom emoji: a composer button opening a picker of the tenant's packs, and
 * the renderer of `custom-emoji` messages, through the widget plugin API (ui/widget/plugin-api.d.ts);
 * the widget loads it for tenants that have the plugin enabled.
 */
import type { WidgetMessage, WidgetPluginApi } from '../../../../ui/widget/plugin-api.d.ts';
import { openPicker } from './picker.ts';
import { WIDGET_CSS } from './styles.ts';
import { imageUrl } from './urls.ts';

const SMILE = 'M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM8 14s1.5 2 4 2 4-2 4-2M9 9h.01M15 9h.01';

export function renderEmoji(server: string, message: WidgetMessage): HTMLElement {
  const name = String(message.body.name ?? '');
  const fallback = () => {
    const span = document.createElement('span');
    span.className = 'custom-emoji-fallback';
    span.textContent = `:${name}:`;
    span.dataset.testid = 'custom-emoji-message';
    span.dataset.name = name;
    return span;
  };
  const src = imageUrl(server, message.body.url);
  if (!src) return fallback();
  const img = document.createElement('img');
  img.className = 'custom-emoji-image';
  img.src = src;
  img.alt = `:${name}:`;
  img.title = `:${name}:`;
  img.dataset.testid = 'custom-emoji-message';
  img.dataset.name = name;
  img.addEventListener('error', () => img.replaceWith(fallback()), { once: true });
  return img;
}

export function register(api: WidgetPluginApi): void {
  api.addStyles(WIDGET_CSS);
  api.addMessageRenderer('custom-emoji', (message) => renderEmoji(api.server, message));
  api.addComposerButton({
    id: 'picker',
    title: { en: 'Emoji', 'zh-CN': '表情' },
    icon: SMILE,
    open: (panel, composer) => openPicker(api, panel, composer),
  });
}
