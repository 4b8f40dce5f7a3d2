/**
 * The messages of one session as the console shows them: stored messages ordered by `seq` with no
 * duplicates, plus the agent's own sends still waiting for their acknowledgement. Pushed messages,
 * sync results and acknowledgements all merge by `seq`, so a message that arrives twice is shown once.
 */
import { api, query } from '../api.ts';
import { errorText } from '../i18n.svelte.ts';
import { realtime } from '../realtime.svelte.ts';
import { clientMsgId } from './client-id.ts';
import { BASE, type Message, type SyncResult } from './types.ts';

export interface PendingMessage {
  clientMsgId: string;
  type: string;
  body: Record<string, unknown>;
  state: 'sending' | 'failed';
  error?: string;
  createdAt: string;
}

const PAGE = 50;
const MAX_SEQ = 2_147_483_647;

export class Thread {
  readonly sessionId: string;
  messages = $state<Message[]>([]);
  pending = $state<PendingMessage[]>([]);
  hasOlder = $state(false);
  loading = $state(true);
  error = $state('');
  /** Highest `seq` held: syncs ask for what comes after it. */
  lastSeq = 0;
  private syncing: Promise<void> | null = null;

  constructor(sessionId: string) {
    this.sessionId = sessionId;
  }

  private url(q: Record<string, number>) {
    return `${BASE}/sessions/${encodeURIComponent(this.sessionId)}/messages${query(q)}`;
  }

  /** Adds messages not held yet, keeps `seq` order, and retires the pending sends they confirm. */
  merge(incoming: Message[]) {
    if (!incoming.length) return;
    const have = new Set(this.messages.map((m) => m.seq));
    const fresh = incoming.filter((m) => m.sessionId === this.sessionId && !have.has(m.seq));
    if (fresh.length) {
      const all = [...this.messages, ...fresh].sort((a, b) => a.seq - b.seq);
      this.messages = all;
      this.lastSeq = Math.max(this.lastSeq, all[all.length - 1]!.seq);
    }
    const confirmed = new Set(incoming.map((m) => m.clientMsgId).filter(Boolean));
    if (confirmed.size) this.pending = this.pending.filter((p) => !confirmed.has(p.clientMsgId));
  }

  /** The latest page, then anything newer. */
  async load() {
    this.loading = true;
    this.error = '';
    try {
      const page = await api.get<SyncResult>(this.url({ before: MAX_SEQ, limit: PAGE }));
      this.merge(page.messages);
      this.hasOlder = page.hasMore;
      await this.sync();
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.loading = false;
    }
  }

  /** Fetches everything after `lastSeq` until the server has no more (after a reconnect, or to be sure). */
  sync(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        for (;;) {
          const r = await api.get<SyncResult>(this.url({ after: this.lastSeq, limit: 200 }));
          this.merge(r.messages);
          this.lastSeq = Math.max(this.lastSeq, r.lastSeq);
          if (!r.hasMore || !r.messages.length) break;
        }
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  async loadOlder() {
    const first = this.messages[0]?.seq;
    if (!first || !this.hasOlder) return;
    const page = await api.get<SyncResult>(this.url({ before: first, limit: PAGE }));
    this.merge(page.messages);
    this.hasOlder = page.hasMore;
  }

  /** Sends a message; it shows as pending until the server has stored it (a failure stays shown, with retry). */
  async send(type: string, body: Record<string, unknown>): Promise<void> {
    const p: PendingMessage = { clientMsgId: clientMsgId(), type, body, state: 'sending', createdAt: new Date().toISOString() };
    this.pending = [...this.pending, p];
    await this.deliver(p.clientMsgId);
  }

  /** Sends a pending message again with the same client id: the server stores it at most once. */
  async retry(id: string) {
    await this.deliver(id);
  }

  /** Resends whatever was not acknowledged (after a reconnect). */
  async resendPending() {
    for (const p of this.pending) await this.deliver(p.clientMsgId);
  }

  private async deliver(id: string) {
    const update = (patch: Partial<PendingMessage>) => {
      this.pending = this.pending.map((x) => (x.clientMsgId === id ? { ...x, ...patch } : x));
    };
    const p = this.pending.find((x) => x.clientMsgId === id);
    if (!p) return;
    update({ state: 'sending', error: undefined });
    const payload = { clientMsgId: p.clientMsgId, type: p.type, body: p.body };
    try {
      const result =
        realtime.status === 'connected'
          ? await realtime.request<{ message: Message }>('conv:send', { sessionId: this.sessionId, ...payload })
          : await api.post<{ message: Message }>(`${BASE}/sessions/${encodeURIComponent(this.sessionId)}/messages`, payload);
      this.merge([result.message]);
    } catch (err) {
      update({ state: 'failed', error: errorText(err) });
    }
  }

  discard(id: string) {
    this.pending = this.pending.filter((p) => p.clientMsgId !== id);
  }
}
