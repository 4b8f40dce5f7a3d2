/**
 * A stand-in for the visitor widget in the browser test, because the widget has no plugin slots
 * yet: a minimal chat page on the documented visitor protocol (REST, polling) that implements the
 * proposed WidgetPluginApi and loads this plugin's real widget module into it.
 */
import { register } from '../../ui/widget/index.ts';
import type { WidgetComposerButton, WidgetLocale, WidgetMessage, WidgetPluginApi } from '../../ui/widget/contract.ts';

interface Message {
  seq: number;
  type: string;
  body: Record<string, unknown>;
  sender: { kind: 'visitor' | 'agent' | 'system'; name: string | null };
}

const params = new URLSearchParams(location.search);
const server = params.get('server') ?? '';
const tenant = params.get('tenant') ?? '';
const locale = (params.get('locale') === 'zh-CN' ? 'zh-CN' : 'en') as WidgetLocale;
let token = '';
let sessionId = '';
let cursor = 0;

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(server + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = (await res.json()) as T;
  if (!res.ok) throw data;
  return data;
}

const buttons: WidgetComposerButton[] = [];
const renderers = new Map<string, (m: WidgetMessage) => HTMLElement>();
const api: WidgetPluginApi = {
  pluginId: 'custom-emoji',
  locale,
  server,
  get: (path) => call('GET', `/api/custom-emoji/${path}`),
  addComposerButton: (b) => void buttons.push(b),
  addMessageRenderer: (type, render) => void renderers.set(type, render),
  addStyles: (css) => {
    const style = document.createElement('style');
    style.textContent = css;
    document.head.append(style);
  },
};
register(api);

const log = document.getElementById('log')!;
const panel = document.getElementById('panel')!;
const tools = document.getElementById('tools')!;
const input = document.getElementById('input') as HTMLInputElement;
let closePanel: (() => void) | null = null;

function show(m: Message) {
  if (m.sender.kind === 'system') return;
  const row = document.createElement('div');
  row.className = `row ${m.sender.kind}`;
  row.dataset.testid = 'harness-message';
  row.dataset.from = m.sender.kind;
  row.dataset.type = m.type;
  const bubble = document.createElement('div');
  bubble.className = 'bubble';
  const render = renderers.get(m.type);
  if (m.type === 'text') bubble.textContent = String(m.body.text ?? '');
  else if (render) bubble.append(render({ type: m.type, body: m.body, from: m.sender.kind }));
  else bubble.textContent = '(unsupported message)';
  row.append(bubble);
  log.append(row);
  log.scrollTop = log.scrollHeight;
}

// One sync at a time, each message shown once (the timer and a send both ask for one).
let syncing: Promise<void> = Promise.resolve();
function sync(): Promise<void> {
  syncing = syncing.then(async () => {
    if (!sessionId) return;
    const page = await call<{ messages: Message[]; lastSeq: number }>('GET', `/api/conversations/visitor/sessions/${sessionId}/messages?after=${cursor}`);
      for (const m of page.messages) if (m.seq > cursor) show(m);
    cursor = Math.max(cursor, page.lastSeq);
  }).catch(() => undefined);
  return syncing;
}

async function send(type: string, body: Record<string, unknown>) {
  await call('POST', `/api/conversations/visitor/sessions/${sessionId}/messages`, { clientMsgId: crypto.randomUUID(), type, body });
  await sync();
}

const composer = {
  send,
  close() {
    closePanel?.();
    closePanel = null;
    panel.replaceChildren();
    panel.hidden = true;
  },
};

for (const b of buttons) {
  const button = document.createElement('button');
  button.type = 'button';
  button.title = b.title[locale];
  button.dataset.testid = `harness-plugin-${b.id}`;
  button.innerHTML = '<svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path></path></svg>';
  button.querySelector('path')!.setAttribute('d', b.icon);
  button.addEventListener('click', () => {
    if (!panel.hidden) return composer.close();
    panel.hidden = false;
    closePanel = b.open(panel, composer) || null;
  });
  tools.append(button);
}

document.getElementById('composer')!.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  void send('text', { text });
});

const visitor = await call<{ token: string }>('POST', '/api/visitor/session', { tenant, name: 'Vic Visitor' });
token = visitor.token;
sessionId = (await call<{ session: { id: string } }>('POST', '/api/conversations/visitor/sessions', { name: 'Vic Visitor' })).session.id;
setInterval(() => void sync(), 300);
document.body.dataset.ready = 'true';
