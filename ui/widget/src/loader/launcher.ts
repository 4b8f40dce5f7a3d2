/**
 * The only UI a host page gets before the visitor opens the chat: a shadow root on a custom element
 * at the end of <body>, holding the launcher button and its unread badge. `:host` rules are
 * `!important` because, across a shadow boundary, the inner context wins for important declarations:
 * a host page's `* { all: unset !important }` cannot hide or restyle the widget.
 */
import type { WidgetSettings } from '../contract.ts';
import type { LoaderStrings } from './strings.ts';

export interface Launcher {
  root: ShadowRoot;
  setOpen(open: boolean): void;
  setLoading(loading: boolean): void;
  setUnread(count: number): void;
}

const CHAT_ICON = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z';
const CLOSE_ICON = 'M6 6l12 12M18 6L6 18';

function css(s: WidgetSettings): string {
  const side = s.position === 'left' ? 'left' : 'right';
  return `:host{all:initial!important;display:block!important;position:fixed!important;z-index:2147483647!important;` +
    `top:auto!important;left:auto!important;bottom:0!important;right:0!important;width:0!important;height:0!important;` +
    `visibility:visible!important;opacity:1!important;transform:none!important;filter:none!important;pointer-events:auto!important;` +
    `--parley-accent:${s.color}!important}` +
    `.launcher{all:initial;box-sizing:border-box;position:fixed;bottom:20px;${side}:20px;width:56px;height:56px;border-radius:50%;` +
    `background:var(--parley-accent);color:#fff;cursor:pointer;display:flex;align-items:center;justify-content:center;` +
    `box-shadow:0 4px 14px rgba(0,0,0,.25);transition:transform .15s}` +
    `.launcher:hover{transform:scale(1.06)}.launcher:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}` +
    `.launcher svg{width:28px;height:28px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}` +
    `.launcher[aria-busy=true] svg{opacity:.5}` +
    `.badge{all:initial;position:absolute;top:-4px;${side === 'right' ? 'left' : 'right'}:-4px;min-width:20px;height:20px;padding:0 6px;box-sizing:border-box;` +
    `border-radius:10px;background:#dc2626;color:#fff;font:600 12px/20px system-ui,-apple-system,sans-serif;text-align:center}` +
    `.badge[hidden]{display:none}` +
    // A phone-sized chat covers the screen, launcher included; the panel has its own close button.
    `@media (max-width:480px){.launcher.open{display:none}}`;
}

function icon(path: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const p = document.createElementNS(ns, 'path');
  p.setAttribute('d', path);
  svg.append(p);
  return svg;
}

export function createLauncher(settings: WidgetSettings, strings: LoaderStrings, onClick: () => void): Launcher {
  const host = document.createElement('parley-widget');
  host.setAttribute('data-tenant', settings.tenant);
  const root = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = css(settings);
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'launcher';
  button.setAttribute('part', 'launcher');
  button.setAttribute('data-testid', 'parley-launcher');
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.hidden = true;
  badge.setAttribute('data-testid', 'parley-badge');
  button.addEventListener('click', onClick);
  root.append(style, button);
  document.body.append(host);

  let open = false;
  let unread = 0;
  const render = () => {
    button.replaceChildren(icon(open ? CLOSE_ICON : CHAT_ICON), badge);
    button.classList.toggle('open', open);
    button.setAttribute('aria-expanded', String(open));
    button.setAttribute('aria-label', open ? strings.close : unread ? strings.openUnread(unread) : strings.open);
    badge.hidden = open || unread === 0;
    badge.textContent = unread > 99 ? '99+' : String(unread);
  };
  render();
  return {
    root,
    setOpen(value) {
      open = value;
      render();
    },
    setLoading(loading) {
      button.setAttribute('aria-busy', String(loading));
    },
    setUnread(count) {
      unread = Math.max(0, count);
      render();
    },
  };
}
