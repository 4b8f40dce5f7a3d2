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
  /**
   * The `seq` up to which this thread holds everything (protocol §1): syncs ask for what comes after
   * it. It moves only over contiguous messages, never to an out-of-order push, so a gap is always
   * filled by the next sync.
   */
  cursor = 0;
  private syncing: Promise<void> | null = null;
  private again = false;

  /** Told of each of my sends once stored: the server does not push them back to this socket. */
  private readonly onSent: (m: Message) => void;

  constructor(sessionId: string, onSent: (m: Message) => void = () => undefined) {
    this.sessionId = sessionId;
    this.onSent = onSent;
  }

  private url(q: Record<string, number>) {
    return `${BASE}/sessions/${encodeURIComponent(this.sessionId)}/messages${query(q)}`;
  }

  /** Adds messages not held yet, keeps `seq` order, and retires the pending sends they confirm. */
  private add(incoming: Message[]) {
    const have = new Set(this.messages.map((m) => m.seq));
    const fresh = incoming.filter((m) => m.sessionId === this.sessionId && !have.has(m.seq));
    if (fresh.length) this.messages = [...this.messages, ...fresh].sort((a, b) => a.seq - b.seq);
    const confirmed = new Set(incoming.map((m) => m.clientMsgId).filter(Boolean));
    if (confirmed.size) this.pending = this.pending.filter((p) => !confirmed.has(p.clientMsgId));
  }

  /** Moves the cursor over messages held contiguously after it. */
  private advance() {
    const have = new Set(this.messages.map((m) => m.seq));
    while (have.has(this.cursor + 1)) this.cursor++;
  }

  /** A pushed or acknowledged message: shown at once; a gap before it triggers a sync. */
  receive(m: Message) {
    if (m.sessionId !== this.sessionId) return;
    this.add([m]);
    this.advance();
    if (m.seq > this.cursor) void this.sync();
  }

  /** Settles when the first load finished (successfully or not). */
  loaded: Promise<void> = Promise.resolve();

  /** The latest page, then anything newer. */
  load(): Promise<void> {
    this.loaded = this.fetchLatest();
    return this.loaded;
  }

  private async fetchLatest() {
    this.loading = true;
    this.error = '';
    try {
      const page = await api.get<SyncResult>(this.url({ before: MAX_SEQ, limit: PAGE }));
      this.add(page.messages);
      this.hasOlder = page.hasMore;
      // The latest page is contiguous up to its last message.
      this.cursor = Math.max(this.cursor, page.messages.length ? page.messages[page.messages.length - 1]!.seq : 0);
      this.advance();
      await this.sync();
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.loading = false;
    }
  }

  /** Fetches everything after the cursor until the server has no more (after a reconnect, or a gap). */
  sync(): Promise<void> {
    if (this.syncing) {
      // A push arrived during a sync: run once more after it, from the cursor it leaves.
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.again = false;
          for (;;) {
            const r = await api.get<SyncResult>(this.url({ after: this.cursor, limit: 200 }));
            this.add(r.messages);
            this.cursor = Math.max(this.cursor, r.lastSeq);
            this.advance();
            if (!r.hasMore) break;
          }
        } while (this.again);
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
    this.add(page.messages);
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
      this.receive(result.message);
      this.onSent(result.message);
    } catch (err) {
      update({ state: 'failed', error: errorText(err) });
    }
  }

  discard(id: string) {
    this.pending = this.pending.filter((p) => p.clientMsgId !== id);
  }
}
