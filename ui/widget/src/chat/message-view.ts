/**
 * One entry of the chat log as DOM. Message content only ever reaches the page as text nodes and
 * checked http(s) links; images and files are fetched with the visitor token and shown through
 * object URLs.
 */
import type { Locale } from '../contract.ts';
import type { ApiClient } from './api-client.ts';
import type { Entry } from './conversation.ts';
import { formatSize, h, icon, ICONS } from './dom.ts';
import { linkify } from './linkify.ts';
import type { MessageRenderer } from '../../plugin-api.d.ts';
import { fill, type Strings } from './strings.ts';

export interface MessageViewContext {
  strings: Strings;
  locale: Locale;
  api: ApiClient;
  retry(clientMsgId: string): void;
  /** Plugins' renderers by message type, consulted for types the widget does not know. */
  renderers: Map<string, MessageRenderer>;
}

function pluginContent(ctx: MessageViewContext, entry: Entry): HTMLElement | null {
  const render = ctx.renderers.get(entry.type);
  if (!render || entry.from === 'system') return null;
  try {
    return h('div', { class: 'bubble plugin' }, render({ type: entry.type, body: entry.body, from: entry.from }));
  } catch (err) {
    console.warn(`[parley] the renderer of "${entry.type}" messages failed`, err);
    return null;
  }
}

/** Object URLs by file id (and of the visitor's own files), so re-rendering never fetches again. */
const blobUrls = new Map<string, Promise<string>>();
const localUrls = new WeakMap<File, string>();

function fileUrl(ctx: MessageViewContext, entry: Entry): Promise<string> {
  if (entry.file) {
    let local = localUrls.get(entry.file);
    if (!local) localUrls.set(entry.file, (local = URL.createObjectURL(entry.file)));
    return Promise.resolve(local);
  }
  const id = String(entry.body.fileId ?? '');
  let url = blobUrls.get(id);
  if (!url) {
    url = ctx.api.file(id).then((blob) => URL.createObjectURL(blob));
    url.catch(() => blobUrls.delete(id));
    blobUrls.set(id, url);
  }
  return url;
}

function systemText(s: Strings, body: Record<string, unknown>): string {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (body.event) {
    case 'assigned':
      return fill(s.system.assigned, { name: str(body.agentName) });
    case 'transferred':
      return body.toAgentName ? fill(s.system.transferred, { name: str(body.toAgentName) }) : fill(s.system.transferredQueue, { group: str(body.toSkillGroupName) });
    case 'closed':
      return body.by === 'agent' ? s.system.closedByAgent : body.by === 'visitor' ? s.system.closedByVisitor : s.system.closedBySystem;
    case 'aborted':
      return s.system.aborted;
    default:
      return s.unsupported;
  }
}

function image(ctx: MessageViewContext, entry: Entry): HTMLElement {
  const name = String(entry.body.filename ?? '');
  const img = h('img', { alt: fill(ctx.strings.imageAlt, { name }), 'data-testid': 'parley-image' });
  void fileUrl(ctx, entry).then(
    (url) => {
      img.src = url;
      img.addEventListener('click', () => window.open(url, '_blank', 'noopener'));
    },
    () => img.setAttribute('data-error', 'true'),
  );
  return h('div', { class: 'bubble media' }, img);
}

function file(ctx: MessageViewContext, entry: Entry): HTMLElement {
  const name = String(entry.body.filename ?? 'file');
  const size = typeof entry.body.size === 'number' ? ` · ${formatSize(entry.body.size)}` : '';
  const button = h('button', { type: 'button', class: 'file', title: fill(ctx.strings.download, { name }), 'data-testid': 'parley-file' }, icon(ICONS.file), h('span', {}, name + size));
  button.addEventListener('click', () => {
    void fileUrl(ctx, entry).then((url) => {
      const a = h('a', { href: url, download: name });
      a.click();
    });
  });
  return h('div', { class: 'bubble media' }, button);
}

function content(ctx: MessageViewContext, entry: Entry): HTMLElement {
  const { body } = entry;
  switch (entry.type) {
    case 'text': {
      const bubble = h('div', { class: 'bubble' });
      bubble.append(...linkify(String(body.text ?? '')));
      return bubble;
    }
    case 'emoji':
      return h('div', { class: 'bubble emoji' }, String(body.emoji ?? ''));
    case 'image':
      return image(ctx, entry);
    case 'file':
      return file(ctx, entry);
    default:
      return pluginContent(ctx, entry) ?? h('div', { class: 'bubble unsupported' }, ctx.strings.unsupported);
  }
}

export function renderEntry(ctx: MessageViewContext, entry: Entry): HTMLElement {
  if (entry.from === 'system') {
    return h('div', { class: 'system', role: 'status', 'data-testid': 'parley-system', 'data-seq': String(entry.seq ?? '') }, systemText(ctx.strings, entry.body));
  }
  const row = h('div', { class: `row ${entry.from}`, 'data-testid': `parley-message-${entry.from}`, 'data-state': entry.state, 'data-seq': entry.seq === undefined ? undefined : String(entry.seq) });
  row.append(content(ctx, entry));
  if (entry.state === 'failed') {
    const retry = h('button', { type: 'button', class: 'meta failed', title: entry.error }, ctx.strings.failed);
    retry.addEventListener('click', () => ctx.retry(entry.clientMsgId!));
    row.append(retry);
  } else {
    const time = new Date(entry.createdAt).toLocaleTimeString(ctx.locale, { hour: '2-digit', minute: '2-digit' });
    const who = entry.from === 'agent' && entry.senderName ? `${entry.senderName} · ` : '';
    row.append(h('div', { class: 'meta' }, entry.state === 'sending' ? (entry.file ? fill(ctx.strings.uploading, { name: entry.file.name }) : ctx.strings.sending) : who + time));
  }
  return row;
}
