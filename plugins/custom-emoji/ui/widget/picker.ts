/** The visitor's emoji picker: one tab per pack, a grid of thumbnails; a click sends the emoji. */
import type { WidgetComposer, WidgetPluginApi } from '../../../../ui/widget/plugin-api.d.ts';
import { imageUrl } from './urls.ts';

interface PickerEmoji {
  id: string;
  name: string;
  thumbUrl: string;
}
interface PickerPack {
  id: string;
  name: string;
  emoji: PickerEmoji[];
}

const TEXT = {
  en: { loading: 'Loading…', empty: 'No emoji yet.', failed: 'The emoji cannot be loaded.' },
  'zh-CN': { loading: '加载中…', empty: '暂无表情。', failed: '无法加载表情。' },
} as const;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function openPicker(api: WidgetPluginApi, panel: HTMLElement, composer: WidgetComposer): () => void {
  const text = TEXT[api.locale];
  let closed = false;
  const root = el('div', 'custom-emoji-picker');
  root.dataset.testid = 'custom-emoji-picker';
  root.append(el('div', 'custom-emoji-note', text.loading));
  panel.append(root);

  const show = (packs: PickerPack[], current: number) => {
    root.replaceChildren();
    if (!packs.length) {
      root.append(el('div', 'custom-emoji-note', text.empty));
      return;
    }
    if (packs.length > 1) {
      const tabs = el('div', 'custom-emoji-tabs');
      tabs.setAttribute('role', 'tablist');
      packs.forEach((p, i) => {
        const tab = el('button', i === current ? 'custom-emoji-tab active' : 'custom-emoji-tab', p.name);
        tab.type = 'button';
        tab.setAttribute('role', 'tab');
        tab.setAttribute('aria-selected', String(i === current));
        tab.addEventListener('click', () => show(packs, i));
        tabs.append(tab);
      });
      root.append(tabs);
    }
    const pack = packs[current]!;
    const grid = el('div', 'custom-emoji-grid');
    for (const e of pack.emoji) {
      const button = el('button', 'custom-emoji-pick');
      button.type = 'button';
      button.title = `:${e.name}:`;
      button.setAttribute('aria-label', e.name);
      button.dataset.testid = 'custom-emoji-pick';
      button.dataset.name = e.name;
      const src = imageUrl(api.server, e.thumbUrl);
      if (src) {
        const img = el('img', '');
        img.src = src;
        img.alt = e.name;
        button.append(img);
      } else button.textContent = e.name;
      button.addEventListener('click', () => {
        button.disabled = true;
        composer.send('custom-emoji', { packId: pack.id, emojiId: e.id }).then(
          () => composer.close(),
          () => (button.disabled = false),
        );
      });
      grid.append(button);
    }
    root.append(grid);
  };

  api.get<{ packs: PickerPack[] }>('visitor/packs').then(
    (res) => closed || show(res.packs, 0),
    () => closed || root.replaceChildren(el('div', 'custom-emoji-note', text.failed)),
  );
  return () => {
    closed = true;
  };
}
