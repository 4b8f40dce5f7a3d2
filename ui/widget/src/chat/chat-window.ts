/**
 * The chat window: header with status, the message log, the pre-chat form and the composer. It
 * only displays what it is told and reports what the visitor does; the conversation logic lives in
 * conversation.ts.
 */
import type { PreChat, WidgetSettings } from '../contract.ts';
import type { ApiClient } from './api-client.ts';
import type { Entry, Profile, Status } from './conversation.ts';
import { h, icon, ICONS } from './dom.ts';
import { renderEntry, type MessageViewContext } from './message-view.ts';
import type { PluginSlots } from './plugins.ts';
import type { MessageRenderer, WidgetComposer, WidgetComposerButton } from '../../plugin-api.d.ts';
import { isOpenState, type Session } from './protocol.ts';
import { fill, type Strings } from './strings.ts';
import { chatCss } from './styles.ts';

export interface WindowHandlers {
  send(text: string): void;
  files(files: File[]): void;
  typing(): void;
  close(): void;
  preChat(profile: Profile): void;
  retry(clientMsgId: string): void;
  /** Sends a plugin's message; resolves once stored. */
  sendMessage(type: string, body: Record<string, unknown>): Promise<void>;
}

interface Item {
  key: string;
  /** Order of the item's session in the log, then its seq; pending sends sort last, by time. */
  rank: number;
  seq: number;
  el: HTMLElement;
  /** The message shown, kept so a renderer registered later can redraw it. */
  entry?: Entry;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class ChatWindow implements PluginSlots {
  readonly panel: HTMLElement;
  private readonly statusLine: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly log: HTMLElement;
  private readonly ended: HTMLElement;
  private readonly composer: HTMLFormElement;
  private readonly input: HTMLTextAreaElement;
  private readonly preChatForm: HTMLFormElement;
  private readonly popover: HTMLElement;
  private readonly tools: HTMLElement;
  private closePopover: (() => void) | undefined;
  private readonly items: Item[] = [];
  private readonly ranks = new Map<string, number>();
  private readonly messageCtx: MessageViewContext;
  private status: Status = 'connecting';
  private session: Session | undefined;
  private typingName: string | null = null;

  constructor(
    root: ShadowRoot,
    settings: WidgetSettings,
    private readonly strings: Strings,
    api: ApiClient,
    private readonly handlers: WindowHandlers,
  ) {
    this.messageCtx = { strings, locale: settings.locale, api, retry: (id) => handlers.retry(id), renderers: new Map() };
    this.locale = settings.locale;
    this.root = root;
    const title = settings.title ?? strings.title;
    const close = h('button', { type: 'button', class: 'icon-btn', 'aria-label': strings.close, title: strings.close, 'data-testid': 'parley-close' }, icon(ICONS.close));
    close.addEventListener('click', () => handlers.close());
    this.statusLine = h('div', { class: 'status', 'data-testid': 'parley-status' });
    this.banner = h('div', { class: 'banner', role: 'alert', hidden: true, 'data-testid': 'parley-banner' });
    this.log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'data-testid': 'parley-log' });
    if (settings.greeting) this.log.append(h('div', { class: 'row agent', 'data-testid': 'parley-greeting' }, h('div', { class: 'bubble' }, settings.greeting)));
    this.ended = h('div', { class: 'ended', hidden: true, 'data-testid': 'parley-ended' });

    this.input = h('textarea', { rows: '1', maxlength: '5000', placeholder: strings.placeholder, 'aria-label': strings.placeholder, 'data-testid': 'parley-input' });
    const fileInput = h('input', { type: 'file', class: 'hidden-input', multiple: true, tabindex: '-1', 'data-testid': 'parley-file-input' });
    const attach = h('button', { type: 'button', class: 'icon-btn', 'aria-label': strings.attach, title: strings.attach, 'data-testid': 'parley-attach' }, icon(ICONS.attach));
    const send = h('button', { type: 'submit', class: 'send', 'data-testid': 'parley-send' }, strings.send);
    this.tools = h('div', { class: 'tools' }, attach);
    this.composer = h('form', { class: 'composer' }, this.tools, this.input, send, fileInput);
    this.popover = h('div', { class: 'popover', hidden: true, 'data-testid': 'parley-popover' });
    this.preChatForm = h('form', { class: 'prechat', hidden: true, novalidate: true, 'data-testid': 'parley-prechat' });

    this.panel = h('div', { class: 'panel', role: 'dialog', 'aria-label': title, hidden: true, 'data-testid': 'parley-panel' },
      h('div', { class: 'head' }, h('div', { class: 'titles' }, h('div', { class: 'title' }, title), this.statusLine), close),
      this.banner, this.log, this.ended, this.preChatForm, this.popover, this.composer);
    root.append(h('style', {}, chatCss(settings.position)), this.panel);

    this.composer.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submitText();
    });
    this.input.addEventListener('keydown', (e) => {
      // Enter sends; Shift+Enter is a new line; Enter that confirms an IME candidate (Chinese input) is not a send.
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        this.submitText();
      } else if (e.key === 'Escape') handlers.close();
    });
    this.popover.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.closePopover?.();
    });
    this.input.addEventListener('input', () => {
      this.autosize();
      if (this.input.value.trim()) handlers.typing();
    });
    this.input.addEventListener('paste', (e) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length) {
        e.preventDefault();
        handlers.files(files);
      }
    });
    attach.addEventListener('click', () => fileInput.click());
    fileInput.addEventListener('change', () => {
      const files = [...(fileInput.files ?? [])];
      fileInput.value = '';
      if (files.length) handlers.files(files);
    });
    this.panel.addEventListener('dragover', (e) => e.preventDefault());
    this.panel.addEventListener('drop', (e) => {
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length) {
        e.preventDefault();
        handlers.files(files);
      }
    });
    this.renderStatus();
  }

  private readonly locale: WidgetSettings['locale'];
  private readonly root: ShadowRoot;

  addStyles(css: string): void {
    this.root.append(h('style', {}, css));
  }

  addMessageRenderer(type: string, render: MessageRenderer): void {
    this.messageCtx.renderers.set(type, render);
    // Messages of that type already in the log were drawn as unsupported; draw them again.
    for (const item of this.items) {
      if (item.entry?.type !== type) continue;
      const el = renderEntry(this.messageCtx, item.entry);
      item.el.replaceWith(el);
      item.el = el;
    }
  }

  /** A plugin's button in the composer toolbar; it opens a popover above the composer. */
  addComposerButton(pluginId: string, button: WidgetComposerButton): void {
    const title = button.title[this.locale] ?? button.title.en;
    const el = h('button', { type: 'button', class: 'icon-btn', 'aria-label': title, title, 'aria-expanded': 'false', 'data-testid': `parley-tool-${pluginId}-${button.id}` }, icon([button.icon]));
    el.addEventListener('click', () => {
      const wasOpen = el.getAttribute('aria-expanded') === 'true';
      this.closePopover?.();
      if (wasOpen) return;
      const body = h('div', { class: 'popover-body' });
      this.popover.replaceChildren(body);
      this.popover.hidden = false;
      el.setAttribute('aria-expanded', 'true');
      let cleanup: void | (() => void);
      const close = () => {
        if (this.closePopover !== close) return;
        this.closePopover = undefined;
        this.popover.hidden = true;
        this.popover.replaceChildren();
        el.setAttribute('aria-expanded', 'false');
        try {
          cleanup?.();
        } catch (err) {
          console.warn(`[parley] the widget plugin "${pluginId}" failed to close its panel`, err);
        }
      };
      this.closePopover = close;
      const composer: WidgetComposer = { send: (type, msg) => this.handlers.sendMessage(type, msg), close };
      try {
        cleanup = button.open(body, composer);
      } catch (err) {
        console.warn(`[parley] the widget plugin "${pluginId}" failed to open its panel`, err);
        close();
      }
    });
    this.tools.append(el);
  }

  private submitText(): void {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = '';
    this.autosize();
    this.handlers.send(text);
  }

  private autosize(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 120)}px`;
  }

  setOpen(open: boolean): void {
    this.panel.hidden = !open;
    if (!open) this.closePopover?.();
    if (open) {
      this.scrollToEnd();
      if (!this.preChatForm.hidden) this.preChatForm.querySelector('input')?.focus();
      else this.input.focus({ preventScroll: true });
    }
  }

  setStatus(status: Status): void {
    this.status = status;
    this.renderStatus();
  }

  setSession(session: Session | undefined): void {
    this.session = session;
    if (session && !this.items.some((i) => i.key === `code:${session.id}`)) {
      this.place({ key: `code:${session.id}`, rank: this.rank(session.id), seq: 0, el: h('div', { class: 'code', 'data-testid': 'parley-session-code' }, fill(this.strings.sessionCode, { code: session.code })) });
    }
    const over = session && !isOpenState(session.state);
    this.ended.hidden = !over;
    this.ended.textContent = over ? `${this.strings.ended} ${fill(this.strings.sessionCode, { code: session.code })}` : '';
    this.renderStatus();
  }

  setTyping(name: string | null): void {
    this.typingName = name;
    this.renderStatus();
  }

  private renderStatus(): void {
    const s = this.strings;
    const session = this.session;
    let text = '';
    if (this.status === 'connecting') text = s.connecting;
    else if (this.typingName !== null) text = fill(s.typing, { name: this.typingName || session?.agent?.name || '' });
    else if (session?.state === 'queued') text = session.queuePosition ? fill(s.queuedPosition, { n: session.queuePosition }) : s.queued;
    else if (session?.state === 'active' && session.agent) text = fill(s.withAgent, { name: session.agent.name });
    this.statusLine.textContent = text;
    const problem = this.status === 'offline' ? s.reconnecting : this.status === 'unavailable' ? s.errorUnavailable : '';
    this.banner.textContent = problem;
    this.banner.hidden = !problem;
  }

  private rank(sessionId: string): number {
    let r = this.ranks.get(sessionId);
    if (r === undefined) this.ranks.set(sessionId, (r = this.ranks.size));
    return r;
  }

  upsert(entry: Entry, replaces?: string): void {
    const nearEnd = this.isNearEnd();
    for (const key of [entry.key, replaces]) {
      const i = key ? this.items.findIndex((it) => it.key === key) : -1;
      if (i >= 0) this.items.splice(i, 1)[0]!.el.remove();
    }
    const stored = entry.sessionId !== undefined && entry.seq !== undefined;
    this.place({
      key: entry.key,
      rank: stored ? this.rank(entry.sessionId!) : Number.POSITIVE_INFINITY,
      seq: stored ? entry.seq! : Date.parse(entry.createdAt),
      el: renderEntry(this.messageCtx, entry),
      entry,
    });
    if (nearEnd || entry.from === 'visitor') this.scrollToEnd();
  }

  /** Inserts in (rank, seq) order, searching from the end where nearly every item goes. */
  private place(item: Item): void {
    let i = this.items.length;
    while (i > 0 && (this.items[i - 1]!.rank > item.rank || (this.items[i - 1]!.rank === item.rank && this.items[i - 1]!.seq > item.seq))) i--;
    const next = this.items[i];
    this.items.splice(i, 0, item);
    if (next) this.log.insertBefore(item.el, next.el);
    else this.log.append(item.el);
  }

  reset(): void {
    for (const item of this.items) item.el.remove();
    this.items.length = 0;
    this.ranks.clear();
  }

  private isNearEnd(): boolean {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 60;
  }

  private scrollToEnd(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }

  /** The pre-chat form in place of the composer; the answers (none when skipped) go to `handlers.preChat`. */
  showPreChat(preChat: PreChat, groups: Array<{ id: string; name: string }>, saved: Profile): void {
    const s = this.strings.preChat;
    const field = (name: 'name' | 'email', label: string, required: boolean) => {
      const input = h('input', { name, type: name === 'email' ? 'email' : 'text', maxlength: name === 'email' ? '254' : '100', autocomplete: name, required, 'data-testid': `parley-prechat-${name}` });
      input.value = saved[name] ?? '';
      return h('label', {}, `${label}${required ? ' *' : ''}`, input);
    };
    const error = h('div', { class: 'error', role: 'alert' });
    const children: HTMLElement[] = [h('div', {}, s.intro)];
    if (preChat.enabled) children.push(field('name', s.name, preChat.requireName), field('email', s.email, preChat.requireEmail));
    let select: HTMLSelectElement | undefined;
    if (groups.length) {
      select = h('select', { name: 'group', 'data-testid': 'parley-prechat-group' }, ...groups.map((g) => h('option', { value: g.id }, g.name)));
      children.push(h('label', {}, s.group, select));
    }
    const optional = !preChat.requireName && !preChat.requireEmail;
    const skip = optional ? h('button', { type: 'button', class: 'link', 'data-testid': 'parley-prechat-skip' }, s.skip) : null;
    children.push(error, h('div', { class: 'actions' }, skip, h('button', { type: 'submit', class: 'send', 'data-testid': 'parley-prechat-start' }, s.start)));
    this.preChatForm.replaceChildren(...children);
    this.preChatForm.hidden = false;
    this.composer.hidden = true;

    const done = (profile: Profile) => {
      this.preChatForm.hidden = true;
      this.composer.hidden = false;
      this.input.focus();
      this.handlers.preChat(profile);
    };
    skip?.addEventListener('click', () => done(select ? { skillGroupId: select.value } : {}));
    this.preChatForm.oninput = () => (error.textContent = '');
    this.preChatForm.onsubmit = (e) => {
      e.preventDefault();
      const value = (name: string) => (this.preChatForm.querySelector<HTMLInputElement>(`input[name=${name}]`)?.value ?? '').trim();
      const name = value('name');
      const email = value('email');
      if ((preChat.requireName && !name) || (preChat.requireEmail && !email)) return void (error.textContent = s.required);
      if (email && !EMAIL.test(email)) return void (error.textContent = s.badEmail);
      done({ ...(name ? { name } : {}), ...(email ? { email } : {}), ...(select ? { skillGroupId: select.value } : {}) });
    };
  }

  /** Whether the window is waiting for the pre-chat answers. */
  get askingPreChat(): boolean {
    return !this.preChatForm.hidden;
  }

  notice(text: string): void {
    this.place({ key: `notice:${Date.now()}:${Math.random()}`, rank: Number.POSITIVE_INFINITY, seq: Date.now(), el: h('div', { class: 'system', role: 'alert' }, text) });
    this.scrollToEnd();
  }
}
