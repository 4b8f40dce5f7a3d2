/**
 * The visitor's side of a conversation, following docs/protocol.md (v1): a visitor token, the
 * latest session and its messages, a socket that reconnects by itself and, after every
 * (re)connect, asks for everything after the last sequence number it has, so nothing is lost and,
 * because messages are keyed by session and seq, nothing is shown twice. Sends carry a client
 * message id and stay pending until the server acknowledges them as stored; unacknowledged sends
 * are sent again, with the same id, after a reconnect.
 */
import { io, type Socket } from 'socket.io-client';
import type { Identity } from '../contract.ts';
import { ApiClient, ApiError } from './api-client.ts';
import { isOpenState, type Ack, type Message, type Session, type SyncResult, type WidgetConfig } from './protocol.ts';

export type Status = 'connecting' | 'online' | 'offline' | 'unavailable';

/** A message as the window shows it: stored (keyed by session and seq) or still on its way. */
export interface Entry {
  key: string;
  sessionId?: string;
  seq?: number;
  clientMsgId?: string;
  from: 'visitor' | 'agent' | 'system';
  senderName?: string;
  type: string;
  body: Record<string, unknown>;
  createdAt: string;
  state: 'sent' | 'sending' | 'failed';
  error?: string;
  /** The visitor's own upload, shown from memory instead of being fetched back. */
  file?: File;
}

export interface ConversationEvents {
  status(status: Status): void;
  session(session: Session | undefined): void;
  /** A new or changed entry; `replaces` is the key it had while pending. */
  entry(entry: Entry, replaces?: string): void;
  /** Everything shown belongs to another visitor now (after `identify`). */
  reset(): void;
  typing(agentName: string | null): void;
  /** A message that arrived while the visitor was here (not history shown at start). */
  live(message: Message): void;
  closed(session: Session): void;
}

export interface Profile {
  name?: string;
  email?: string;
  skillGroupId?: string;
}

interface Pending {
  entry: Entry;
  file?: File;
  inFlight: boolean;
  attempts: number;
  /** The session a file was uploaded to; a new session needs a new upload. */
  uploadedTo?: string;
  /** Already moved once to a new session after SESSION_CLOSED. */
  reopened?: boolean;
  resolve(message: Message): void;
  reject(err: unknown): void;
}

class Offline extends Error {}

const ACK_TIMEOUT_MS = 10_000;
const MAX_ATTEMPTS = 3;
/** Refusals of a busy server, which did nothing: the same send may simply be tried again a little later. */
const BUSY = new Set(['OVERLOADED', 'TOO_MANY_REQUESTS']);
const BUSY_RETRY_MS = 500;

export function clientMessageId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes); // randomUUID needs a secure context; host pages may be plain http
  return `w${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function entryOf(m: Message): Entry {
  return {
    key: `${m.sessionId}:${m.seq}`,
    sessionId: m.sessionId,
    seq: m.seq,
    clientMsgId: m.clientMsgId ?? undefined,
    from: m.sender.kind,
    senderName: m.sender.name ?? undefined,
    type: m.type,
    body: m.body ?? {},
    createdAt: m.createdAt,
    state: 'sent',
  };
}

export class Conversation {
  readonly api: ApiClient;
  config: WidgetConfig | undefined;
  session: Session | undefined;
  profile: Profile = {};
  private socket: Socket | undefined;
  private visitorId: string | undefined;
  private identity: Identity | undefined;
  private lastSeq = 0;
  /** Set when a message skipped seqs: the next sync starts here so what lies between is fetched. */
  private gapFrom: number | undefined;
  /** Messages of the current session above this seq are live (the rest was history at start). */
  private liveAfter = 0;
  private readonly seen = new Set<string>();
  private readonly pending = new Map<string, Pending>();
  private syncing: Promise<void> | undefined;
  private syncAgain = false;
  /** `conv:session` pushes received so far (an answer read before one of them is stale). */
  private sessionPushes = 0;
  private starting: Promise<void> | undefined;
  private sessionStarting: Promise<Session> | undefined;
  private agentTypingTimer: ReturnType<typeof setTimeout> | undefined;
  private lastTypingSent = 0;
  private stopTypingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    server: string,
    tenant: string,
    private readonly store: { load(key: string): string | null; save(key: string, value: string | null): void },
    private readonly events: ConversationEvents,
  ) {
    this.api = new ApiClient(server, tenant);
    this.api.token = store.load('token') ?? undefined;
  }

  /** Signs the visitor in, shows the latest session and connects. Retries until the server answers. */
  start(identity?: Identity): Promise<void> {
    this.identity = identity;
    this.starting ??= this.startWithRetry();
    return this.starting;
  }

  private async startWithRetry(): Promise<void> {
    this.events.status('connecting');
    for (let delay = 1000; ; delay = Math.min(delay * 2, 30_000)) {
      try {
        await this.signIn();
        this.config ??= await this.api.widgetConfig().catch(() => undefined);
        await this.loadLatestSession();
        this.connect();
        return;
      } catch (err) {
        // A tenant that does not exist or has no chat will not change by retrying soon.
        const permanent = err instanceof ApiError && err.body.statusCode >= 400 && err.body.statusCode < 500 && err.code !== 'RATE_LIMITED';
        this.events.status('unavailable');
        if (permanent) delay = Math.max(delay, 30_000);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /** `strict`: a refused identity is an error; otherwise (at start) the visitor chats anonymously. */
  private async signIn(strict = false): Promise<void> {
    const id = this.identity;
    const input = { token: this.api.token, ...(id ? { identity: { externalId: id.externalId, signature: id.signature }, name: id.name, email: id.email } : {}) };
    let result;
    try {
      result = await this.api.visitorSession(input);
    } catch (err) {
      if (strict || !(err instanceof ApiError && err.code === 'IDENTITY_SIGNATURE_INVALID')) throw err;
      console.warn('[Parley] the identity signature was refused; chatting anonymously');
      this.identity = undefined;
      result = await this.api.visitorSession({ token: this.api.token });
    }
    this.api.token = result.token;
    this.store.save('token', result.token);
    this.visitorId = result.visitorId;
  }

  private async loadLatestSession(): Promise<void> {
    const { sessions } = await this.api.sessions();
    const latest = sessions[0];
    if (!latest) return this.adopt(undefined);
    // History comes over REST; the socket then syncs from where it ends.
    let after = 0;
    for (;;) {
      const page = await this.api.messages(latest.id, after);
      for (const m of page.messages) this.receive(m, false);
      after = page.messages.at(-1)?.seq ?? page.lastSeq;
      if (!page.hasMore) break;
    }
    this.adopt(latest, Math.max(after, latest.lastSeq));
  }

  /** Makes `session` the one the window shows; `knownUpTo` is the seq its history was loaded to. */
  private adopt(session: Session | undefined, knownUpTo = 0): void {
    const changed = session?.id !== this.session?.id;
    this.session = session;
    if (changed) {
      this.lastSeq = knownUpTo;
      this.liveAfter = knownUpTo;
      this.gapFrom = undefined;
    }
    this.events.session(session);
  }

  private connect(): void {
    const socket = io(`${this.api.server}/visitor`, { auth: { token: this.api.token } });
    this.socket = socket;
    socket.on('connect', () => {
      this.events.status('online');
      void this.sync();
      void this.refreshSession();
      for (const p of this.pending.values()) if (p.entry.state === 'sending') void this.deliver(p);
    });
    socket.on('disconnect', (reason) => {
      this.events.status('offline');
      // socket.io reconnects by itself except after a disconnect the server asked for (e.g. a restart).
      if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 1000 + Math.random() * 2000);
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      this.events.status('offline');
      // A refused handshake is not retried by socket.io: renew the token, then connect again.
      if (!socket.active) {
        setTimeout(() => {
          this.signIn()
            .then(() => {
              socket.auth = { token: this.api.token };
              socket.connect();
            })
            .catch(() => socket.connect());
        }, err.data?.code === 'UNAUTHENTICATED' ? 500 : 3000);
      }
    });
    socket.on('conv:message', (m: Message) => {
      if (m.sessionId === this.session?.id) this.receive(m, m.seq > this.liveAfter);
    });
    socket.on('conv:session', (s: Session) => {
      this.sessionPushes++;
      this.sessionChanged(s);
    });
    socket.on('conv:typing', (t: { sessionId: string; typing: boolean }) => {
      if (t.sessionId !== this.session?.id) return;
      clearTimeout(this.agentTypingTimer);
      this.events.typing(t.typing ? this.session.agent?.name ?? '' : null);
      // A lost "stopped typing" must not leave the indicator on for ever.
      if (t.typing) this.agentTypingTimer = setTimeout(() => this.events.typing(null), 8000);
    });
  }

  /** After `visibilitychange` and the like: reconnect now instead of waiting for the back-off. */
  wake(): void {
    if (this.socket && !this.socket.connected) this.socket.connect();
  }

  /** After a (re)connect: what happened to the session while no socket could hear its pushes. */
  private async refreshSession(): Promise<void> {
    const current = this.session;
    if (!current) return;
    const pushes = this.sessionPushes;
    try {
      const fresh = await this.api.session(current.id);
      // A push that arrived while the request was out is newer than its answer.
      if (pushes === this.sessionPushes) this.sessionChanged(fresh);
    } catch {
      // Offline again: the next connect asks again.
    }
  }

  private sessionChanged(s: Session): void {
    const current = this.session;
    if (current && s.id === current.id) {
      const wasOpen = isOpenState(current.state);
      this.adopt(s);
      if (wasOpen && !isOpenState(s.state)) {
        this.events.typing(null);
        this.events.closed(s);
      }
      void this.sync(); // the change may come with messages (e.g. the system's "closed")
    } else if (isOpenState(s.state) && !(current && isOpenState(current.state))) {
      // Started in another tab of the same visitor.
      this.adopt(s);
      void this.sync();
    }
  }

  /** `fromSync`: part of a sync answer, which has no gaps a visitor could fill. */
  private receive(m: Message, live: boolean, fromSync = false): void {
    const entry = entryOf(m);
    if (m.sessionId === this.session?.id) {
      if (!fromSync && m.seq > this.lastSeq + 1 && this.gapFrom === undefined) this.gapFrom = this.lastSeq;
      this.lastSeq = Math.max(this.lastSeq, m.seq);
      if (this.gapFrom !== undefined) void this.sync();
    }
    if (this.seen.has(entry.key)) return;
    this.seen.add(entry.key);
    const pending = entry.clientMsgId ? this.pending.get(entry.clientMsgId) : undefined;
    if (pending && entry.from === 'visitor') {
      entry.file = pending.file;
      this.pending.delete(entry.clientMsgId!);
      pending.resolve(m);
    }
    this.events.entry(entry, pending ? pending.entry.key : undefined);
    if (live) this.events.live(m);
  }

  /** Fetches everything after the last known seq, page by page; calls made meanwhile run it once more. */
  sync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    // Cleared in a later microtask, so a run that ends at once cannot leave a stale promise behind.
    const run = this.runSync().finally(() => {
      this.syncing = undefined;
      if (this.syncAgain && this.socket?.connected) void this.sync();
    });
    this.syncing = run;
    return run;
  }

  private async runSync(): Promise<void> {
    try {
      do {
        this.syncAgain = false;
        const session = this.session;
        if (!session || !this.socket?.connected) return;
        let after = this.gapFrom ?? this.lastSeq;
        this.gapFrom = undefined;
        for (;;) {
          const r = await this.emit<SyncResult>('conv:sync', { sessionId: session.id, afterSeq: after, limit: 200 });
          if (session.id !== this.session?.id) break;
          for (const m of r.messages) this.receive(m, m.seq > this.liveAfter, true);
          after = r.messages.at(-1)?.seq ?? r.lastSeq;
          if (!r.hasMore) {
            this.lastSeq = Math.max(this.lastSeq, r.lastSeq);
            break;
          }
        }
      } while (this.syncAgain);
    } catch {
      // Offline or timed out: the next connect syncs again.
    }
  }

  private async emit<T>(event: string, payload: unknown): Promise<T> {
    const socket = this.socket;
    if (!socket?.connected) throw new Offline();
    let ack: Ack<T>;
    try {
      ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
    } catch {
      throw new Offline();
    }
    if (!ack.ok) throw new ApiError(ack.error);
    return ack.data;
  }

  /** The open session, or a new one (with the pre-chat answers) when there is none. */
  private async ensureSession(): Promise<Session> {
    await this.start(this.identity);
    if (this.session && isOpenState(this.session.state)) return this.session;
    this.sessionStarting ??= (async () => {
      try {
        const context = { pageUrl: location.href.slice(0, 2000), pageTitle: document.title.slice(0, 300), ...(document.referrer ? { referrer: document.referrer.slice(0, 2000) } : {}) };
        // The session carries who the visitor said they are (pre-chat form) or who the site says they are.
        const name = (this.profile.name ?? this.identity?.name)?.slice(0, 100);
        const email = (this.profile.email ?? this.identity?.email)?.slice(0, 254);
        const { skillGroupId } = this.profile;
        const { session } = await this.api.startSession({ ...(name ? { name } : {}), ...(email ? { email } : {}), ...(skillGroupId ? { skillGroupId } : {}), context });
        this.adopt(session);
        void this.sync();
        return session;
      } finally {
        this.sessionStarting = undefined;
      }
    })();
    return this.sessionStarting;
  }

  sendText(text: string): Promise<Message> {
    return this.queue({ type: 'text', body: { text } });
  }

  /** Sends a message of a plugin's type through the same path as text (client id, ack, retry). */
  sendMessage(type: string, body: Record<string, unknown>): Promise<Message> {
    return this.queue({ type, body });
  }

  /** Sends an image (shown inline) or any other accepted file. */
  sendFile(file: File): Promise<Message> {
    const images = this.config?.attachments?.imageTypes ?? ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
    return this.queue({ type: images.includes(file.type) ? 'image' : 'file', body: { filename: file.name, contentType: file.type, size: file.size } }, file);
  }

  private queue(content: { type: string; body: Record<string, unknown> }, file?: File): Promise<Message> {
    const id = clientMessageId();
    const entry: Entry = { key: `local:${id}`, clientMsgId: id, from: 'visitor', type: content.type, body: content.body, createdAt: new Date().toISOString(), state: 'sending', file };
    return new Promise<Message>((resolve, reject) => {
      const p: Pending = { entry, file, inFlight: false, attempts: 0, resolve, reject };
      this.pending.set(id, p);
      this.events.entry(entry);
      void this.deliver(p);
    });
  }

  /** Tries a failed send again (same client message id, so it can never be stored twice). */
  retry(clientMsgId: string): void {
    const p = this.pending.get(clientMsgId);
    if (!p || p.entry.state !== 'failed') return;
    p.attempts = 0;
    p.entry = { ...p.entry, state: 'sending', error: undefined };
    this.events.entry(p.entry);
    void this.deliver(p);
  }

  private async deliver(p: Pending): Promise<void> {
    if (p.inFlight) return;
    p.inFlight = true;
    const id = p.entry.clientMsgId!;
    try {
      for (;;) {
        try {
          const session = await this.ensureSession();
          let body = p.entry.body;
          if (p.file) {
            if (p.uploadedTo !== session.id) {
              const uploaded = await this.api.upload(session.id, p.file);
              p.entry = { ...p.entry, body: { ...uploaded } };
              p.uploadedTo = session.id;
            }
            body = { fileId: p.entry.body.fileId };
          }
          p.attempts++;
          const { message } = await this.emit<{ message: Message; duplicate: boolean }>('conv:send', { sessionId: session.id, clientMsgId: id, type: p.entry.type, body });
          // This socket gets no push of its own send: the ack is its copy, page events included.
          this.receive(message, message.seq > this.liveAfter);
          if (this.pending.get(id) === p) {
            this.pending.delete(id);
            p.resolve(message);
          }
          return;
        } catch (err) {
          if (err instanceof Offline || (err instanceof ApiError && err.code === 'NETWORK')) {
            // Offline: the next connect sends it again. Timed out while connected: a few more tries.
            if (!this.socket?.connected) return;
            if (p.attempts < MAX_ATTEMPTS) continue;
          } else if (err instanceof ApiError && BUSY.has(err.code) && p.attempts < MAX_ATTEMPTS) {
            // Wait longer after each refusal, spread out so that refused visitors do not come back together.
            await new Promise((r) => setTimeout(r, BUSY_RETRY_MS * 2 ** (p.attempts - 1) * (0.5 + Math.random())));
            continue;
          } else if (err instanceof ApiError && err.code === 'SESSION_CLOSED' && !p.reopened && this.session) {
            // The session ended as the visitor wrote: the message opens a new one.
            p.reopened = true;
            this.adopt({ ...this.session, state: 'closed' });
            continue;
          }
          return this.fail(p, err);
        }
      }
    } finally {
      p.inFlight = false;
    }
  }

  private fail(p: Pending, err: unknown): void {
    p.entry = { ...p.entry, state: 'failed', error: err instanceof Error ? err.message : String(err) };
    this.events.entry(p.entry);
    p.reject(err);
  }

  /** Tells the server the visitor has seen everything so far. */
  markRead(): void {
    const session = this.session;
    if (session && this.lastSeq > 0) this.emit('conv:read', { sessionId: session.id, seq: this.lastSeq }).catch(() => undefined);
  }

  /** The visitor is typing: told to the agent at most every 3 s, and "stopped" after 4 s of quiet. */
  typing(): void {
    const session = this.session;
    if (!session || !isOpenState(session.state)) return;
    const now = Date.now();
    if (now - this.lastTypingSent > 3000) {
      this.lastTypingSent = now;
      this.emit('conv:typing', { sessionId: session.id, typing: true }).catch(() => undefined);
    }
    clearTimeout(this.stopTypingTimer);
    this.stopTypingTimer = setTimeout(() => this.stoppedTyping(), 4000);
  }

  stoppedTyping(): void {
    clearTimeout(this.stopTypingTimer);
    const session = this.session;
    if (!session || !this.lastTypingSent) return;
    this.lastTypingSent = 0;
    this.emit('conv:typing', { sessionId: session.id, typing: false }).catch(() => undefined);
  }

  /** Becomes the site's known user; if that is another visitor, the window starts over. */
  async identify(identity: Identity): Promise<void> {
    if (!this.starting) return this.start(identity);
    await this.starting;
    const previous = this.identity;
    this.identity = identity;
    const before = this.visitorId;
    try {
      await this.signIn(true);
    } catch (err) {
      this.identity = previous;
      throw err;
    }
    if (this.visitorId === before) return;
    this.seen.clear();
    for (const p of this.pending.values()) p.reject(new Error('the visitor changed'));
    this.pending.clear();
    this.events.reset();
    this.adopt(undefined);
    await this.loadLatestSession();
    if (this.socket) {
      this.socket.auth = { token: this.api.token };
      this.socket.disconnect().connect();
    }
  }
}
