/**
 * The agent workbench's live state: my agent status, my sessions with unread counts, the waiting
 * queue, and one Thread per opened session. Fed by REST at start and after every reconnect, and by
 * the `/agent` socket's pushes in between.
 */
import { api, query } from '../api.ts';
import { errorText } from '../i18n.svelte.ts';
import { realtime } from '../realtime.svelte.ts';
import { session as me } from '../session.svelte.ts';
import { Thread } from './thread.svelte.ts';
import { BASE, P, type AgentState, type Message, type OnlineStatus, type Session } from './types.ts';

const TYPING_MS = 6000;

class Workbench {
  agent = $state<AgentState | null>(null);
  /** My sessions: active ones first (newest activity first), then ones that ended or left me during this visit. */
  mine = $state<Session[]>([]);
  queue = $state<Session[]>([]);
  queuedCount = $state(0);
  typing = $state<Record<string, number>>({});
  error = $state('');
  ready = $state(false);
  /** The session the agent has open (its messages count as read while the window is visible). */
  openId = $state<string | null>(null);
  private readonly threads = new Map<string, Thread>();
  private stops: Array<() => void> = [];
  private running = false;
  /** REST loads out now, and the pushes received since the oldest of them began. */
  private loads = 0;
  private pushLog: Array<() => void> = [];

  get unreadTotal(): number {
    return this.mine.reduce((n, s) => n + (s.state === 'active' && s.agent?.id === me.member.id ? s.unread : 0), 0);
  }

  start() {
    if (this.running) return;
    this.running = true;
    realtime.connect();
    this.stops = [
      realtime.on<Message>('conv:message', (m) => {
        this.threads.get(m.sessionId)?.receive(m);
        this.pushed(() => this.listMessage(m));
      }),
      realtime.on<Session>('conv:session', (s) => this.pushed(() => this.onSession(s))),
      realtime.on<{ queued: number }>('queue:changed', (q) => {
        this.queuedCount = q.queued;
        void this.loadQueue();
      }),
      realtime.on<AgentState>('agent:state', (a) => {
        if (a.memberId === me.member.id) this.pushed(() => (this.agent = a));
      }),
      realtime.on<{ sessionId: string; typing: boolean }>('conv:typing', (t) => {
        this.typing = { ...this.typing, [t.sessionId]: t.typing ? Date.now() + TYPING_MS : 0 };
      }),
      realtime.onReconnect(() => void this.resync()),
    ];
    const onVisible = () => {
      if (document.visibilityState === 'visible' && this.openId) void this.markRead(this.openId);
    };
    document.addEventListener('visibilitychange', onVisible);
    this.stops.push(() => document.removeEventListener('visibilitychange', onVisible));
    void this.resync();
  }

  stop() {
    clearTimeout(this.agentTimer);
    for (const s of this.stops) s();
    this.stops = [];
    this.running = false;
    this.ready = false;
    this.threads.clear();
    this.mine = [];
    this.queue = [];
    this.agent = null;
    realtime.disconnect();
  }

  /** Reloads everything shown and catches every open thread up (start and each reconnect). */
  async resync() {
    try {
      await Promise.all([this.loadAgent(), this.loadMine(), this.loadQueue()]);
      this.error = '';
    } catch (err) {
      this.error = errorText(err);
    }
    this.ready = true;
    for (const t of this.threads.values()) {
      void t.sync().then(() => t.resendPending());
    }
  }

  /** Applies a push now, and again over any REST answer that was out when it came. */
  private pushed(apply: () => void) {
    apply();
    if (this.loads) this.pushLog.push(apply);
  }

  /**
   * Applies a REST answer, then the pushes that arrived while it was out: the answer may have been
   * read before them (at start, before the socket connected: "offline", an empty list).
   */
  private async load<T>(path: string, apply: (answer: T) => void): Promise<void> {
    const from = this.pushLog.length;
    this.loads++;
    try {
      apply(await api.get<T>(path));
      for (const push of this.pushLog.slice(from)) push();
    } finally {
      if (--this.loads === 0) this.pushLog = [];
    }
  }

  loadAgent(): Promise<void> {
    return this.load<AgentState>(`${BASE}/agent/me`, (agent) => (this.agent = agent));
  }

  loadMine(): Promise<void> {
    return this.load<{ sessions: Session[] }>(`${BASE}/sessions/mine`, ({ sessions }) => {
      const ids = new Set(sessions.map((s) => s.id));
      // Sessions that ended here stay listed (greyed) until the page is reloaded.
      const ended = this.mine.filter((s) => !ids.has(s.id) && (s.state !== 'active' || s.agent?.id !== me.member.id));
      this.mine = [...sessions, ...ended];
    });
  }

  async loadQueue(): Promise<void> {
    if (!me.can(P.queue)) return;
    return this.load<{ sessions: Session[] }>(`${BASE}/queue`, ({ sessions }) => {
      this.queue = sessions;
      this.queuedCount = sessions.length;
    });
  }

  /** Searches my sessions by visitor name on the server. */
  async searchMine(q: string): Promise<Session[]> {
    return (await api.get<{ sessions: Session[] }>(`${BASE}/sessions/mine${query({ q })}`)).sessions;
  }

  thread(sessionId: string): Thread {
    let t = this.threads.get(sessionId);
    if (!t) {
      // My own sends are not pushed back to this socket: their acknowledgement updates the list.
      t = new Thread(sessionId, (m) => this.listMessage(m));
      this.threads.set(sessionId, t);
      void t.load();
    }
    return t;
  }

  find(id: string): Session | undefined {
    return this.mine.find((s) => s.id === id || s.code === id) ?? this.queue.find((s) => s.id === id || s.code === id);
  }

  isTyping(sessionId: string): boolean {
    return (this.typing[sessionId] ?? 0) > Date.now();
  }

  private upsertMine(s: Session) {
    const i = this.mine.findIndex((x) => x.id === s.id);
    if (i >= 0) this.mine[i] = s;
    else this.mine = [s, ...this.mine];
  }

  private onSession(s: Session) {
    const before = this.mine.find((x) => x.id === s.id);
    const wasMine = !!before && before.state === 'active' && before.agent?.id === me.member.id;
    const mineNow = s.state === 'active' && s.agent?.id === me.member.id;
    if (mineNow || before) this.upsertMine(s);
    if (s.state !== 'queued') this.queue = this.queue.filter((x) => x.id !== s.id);
    // My load (active / capacity) changed: the server does not push my state for that.
    if (wasMine !== mineNow) this.refreshAgentSoon();
  }

  private agentTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshAgentSoon() {
    clearTimeout(this.agentTimer);
    this.agentTimer = setTimeout(() => void this.loadAgent().catch(() => undefined), 300);
  }

  /** Updates the session's row in my list for a message it has not counted yet (a push and an ack may both bring it). */
  private listMessage(m: Message) {
    const i = this.mine.findIndex((x) => x.id === m.sessionId);
    if (i < 0) return;
    const s = this.mine[i]!;
    if (m.seq <= s.lastSeq) return;
    const fromVisitor = m.sender.kind === 'visitor';
    const reading = this.openId === s.id && document.visibilityState === 'visible';
    this.mine[i] = {
      ...s,
      lastSeq: m.seq,
      lastMessageAt: m.createdAt,
      // As on the server: system events (assigned, transferred) do not replace the preview.
      lastMessagePreview: m.sender.kind === 'system' ? s.lastMessagePreview : previewOf(m),
      unread: fromVisitor && !reading ? s.unread + 1 : s.unread,
      messageCount: s.messageCount + 1,
    };
    if (fromVisitor) this.typing = { ...this.typing, [m.sessionId]: 0 };
    if (fromVisitor && reading) void this.markRead(s.id);
  }

  /** Marks the visitor's messages read up to the newest held. */
  async markRead(sessionId: string) {
    const t = this.threads.get(sessionId);
    await t?.loaded;
    const s = this.mine.find((x) => x.id === sessionId);
    if (!s || s.state !== 'active' || s.agent?.id !== me.member.id) return;
    // Read up to what the agent has on screen (the session's own count when the thread is not loaded).
    const seq = t ? (t.messages.at(-1)?.seq ?? 0) : s.lastSeq;
    if (!s.unread || !seq) return;
    try {
      const r = await api.post<{ unread: number }>(`${BASE}/sessions/${s.id}/read`, { seq });
      const j = this.mine.findIndex((x) => x.id === sessionId);
      if (j >= 0) this.mine[j] = { ...this.mine[j]!, unread: r.unread };
    } catch {
      // the count stays as it was; the next read or reload corrects it
    }
  }

  async setStatus(status: OnlineStatus) {
    this.agent = await api.put<AgentState>(`${BASE}/agent/me`, { status });
  }

  async pick(sessionId: string): Promise<Session> {
    const s = await api.post<Session>(`${BASE}/queue/${sessionId}/pick`);
    this.queue = this.queue.filter((x) => x.id !== s.id);
    this.upsertMine(s);
    this.refreshAgentSoon();
    return s;
  }

  async close(sessionId: string): Promise<Session> {
    const s = await api.post<Session>(`${BASE}/sessions/${sessionId}/close`);
    this.upsertMine(s);
    this.refreshAgentSoon();
    return s;
  }

  async transfer(sessionId: string, target: { toAgentId?: string; toSkillGroupId?: string; note?: string }): Promise<Session> {
    const s = await api.post<Session>(`${BASE}/sessions/${sessionId}/transfer`, target);
    this.upsertMine(s);
    this.refreshAgentSoon();
    return s;
  }

  /** Tells the visitor the agent is typing (the server relays it). */
  typingNow(sessionId: string, typing: boolean) {
    if (realtime.status === 'connected') realtime.request('conv:typing', { sessionId, typing }).catch(() => undefined);
  }
}

export function previewOf(m: Pick<Message, 'type' | 'body'>): string {
  if (m.type === 'text') return String(m.body.text ?? '');
  if (m.type === 'emoji') return String(m.body.emoji ?? '');
  if (m.type === 'image') return '[Image]';
  if (m.type === 'file') return `[File] ${String(m.body.filename ?? '')}`;
  return `[${m.type}]`;
}

export const workbench = new Workbench();
