/**
 * Realtime transport: socket.io on Parley's HTTP server with two namespaces, `/agent` (members)
 * and `/visitor`. Sockets are authenticated at the handshake and join rooms for their tenant and
 * themselves; plugins add events here and each event is gated like a route (see events.ts). With
 * Redis, emits and room joins reach sockets on every Parley process.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { Server, type Namespace, type Socket } from 'socket.io';
import type { Logger } from 'pino';
import type { AuthService } from '../auth/auth-service.ts';
import type { PluginStateService } from '../plugin-host/plugin-state.ts';
import type { MemberPrincipal, VisitorPrincipal } from '../auth/principal.ts';
import { errors, toErrorBody } from '../http/errors.ts';
import { KERNEL_OWNER } from '../hooks/hook-bus.ts';
import { connectError, handshakeToken, unauthenticated } from './handshake.ts';
import { registration, runEvent, unknownEvent, type Ack, type NamespaceName, type Registration, type SocketContext, type SocketEventOptions, type SocketHandler } from './events.ts';
import type { RedisLink } from './redis-link.ts';
import { Admission, DEFAULT_LIMITS, type Window } from './admission.ts';

export type { Ack, NamespaceName, SocketContext, SocketEventOptions, SocketHandler } from './events.ts';

export const rooms = {
  tenant: (tenantId: string) => `t:${tenantId}`,
  member: (memberId: string) => `m:${memberId}`,
  visitor: (visitorId: string) => `v:${visitorId}`,
};

export interface EmitOptions {
  /** A socket that should not get the emit: the one whose request caused it and has its answer already. */
  except?: string;
}

export interface AttachOptions {
  redisUrl?: string;
  maxPayloadBytes: number;
  /** Redis channel prefix shared by the processes of one installation (default `parley`). */
  redisKey?: string;
  /** How long start-up waits for Redis (default 10 s). */
  redisConnectTimeoutMs?: number;
  /** How often member sockets have their session checked again (default one minute). */
  recheckMs?: number;
  /** Events one socket may have running or waiting at once (default 32). */
  maxInFlightPerSocket?: number;
  /**
   * Events this process runs at once (default 256). Work beyond what the database can do only adds
   * latency, so more events wait, and their connections stop reading meanwhile (admission.ts).
   */
  maxInFlight?: number;
  /** Events that may wait for room (default 1024); beyond it they are refused with 503 OVERLOADED. */
  maxWaiting?: number;
  /** How long an event may wait (default 5 s, under the SDKs' 10 s ack timeout) before it is refused instead. */
  maxWaitMs?: number;
}

/** What a socket carries: who it is, and how many of its events are running or waiting. */
interface SocketData extends Window {
  principal: MemberPrincipal | VisitorPrincipal;
}

type AckFn = (ack: Ack) => void;

/** Server-to-server message (through the adapter) asking every process to recheck a member, or all. */
const RECHECK_MEMBERS = 'parley:recheck-members';
/**
 * Server-to-server message asking the other processes to move their sockets between rooms. Not the
 * adapter's own socketsJoin: it echoes the request back to this process, where it would undo a
 * later local leave that Redis had not yet echoed.
 */
const MOVE_SOCKETS = 'parley:move-sockets';
interface MoveSockets { ns: NamespaceName; selector: string; room: string; join: boolean }
/** Sent to a member socket just before it is disconnected because its session ended. */
export const SESSION_ENDED_EVENT = 'session.ended';
const CLOSE_GRACE_MS = 1000;

export class Realtime {
  private io?: Server;
  private redis?: RedisLink;
  private closed = false;
  private admission = new Admission(DEFAULT_LIMITS);
  private recheckTimer?: NodeJS.Timeout;
  private sweeping = false;
  /** Upgraded (WebSocket) connections, destroyed at shutdown if a peer never answers the close. */
  private readonly upgraded = new Set<Duplex>();
  private readonly events: Record<NamespaceName, Map<string, Registration>> = { agent: new Map(), visitor: new Map() };
  private readonly connectionListeners: Array<{ owner: string; ns: NamespaceName; fn: (ctx: SocketContext) => unknown }> = [];

  constructor(
    private readonly auth: AuthService,
    private readonly pluginState: PluginStateService,
    private readonly log: Logger,
  ) {}

  /**
   * Adds a socket event. Registering the same event twice, or with a permission that cannot apply
   * to the namespace, is a start-up error. Events may be registered before or after `attach`.
   */
  on(owner: string, ns: NamespaceName, event: string, options: SocketEventOptions, handler: SocketHandler): void {
    if (this.events[ns].has(event)) throw new Error(`socket event ${ns}:${event} is registered twice`);
    this.events[ns].set(event, registration(ns, event, owner, options, handler));
  }

  /** Compiles every event's payload schema now (they compile on first use); throws on the first that does not. */
  compileSchemas(): void {
    for (const ns of ['agent', 'visitor'] as const) {
      for (const [event, reg] of this.events[ns]) {
        try {
          reg.check?.();
        } catch (err) {
          throw new Error(`payload schema of socket event ${ns}:${event} does not compile: ${(err as Error).message}`);
        }
      }
    }
  }

  /** Runs `fn` for every authenticated socket of `ns` whose tenant has `owner` enabled. */
  onConnection(owner: string, ns: NamespaceName, fn: (ctx: SocketContext) => unknown): void {
    this.connectionListeners.push({ owner, ns, fn });
  }

  registeredEvents(): Array<{ ns: NamespaceName; event: string; owner: string; permission: string }> {
    return (['agent', 'visitor'] as const).flatMap((ns) =>
      [...this.events[ns]].map(([event, r]) => ({ ns, event, owner: r.owner, permission: r.permission })),
    );
  }

  namespace(ns: NamespaceName): Namespace {
    if (!this.io) throw new Error('realtime is not attached yet');
    return this.io.of(`/${ns}`);
  }

  /**
   * Emits to every socket of `ns` in any of `roomNames`, on every Parley process. An empty list
   * reaches nobody (socket.io would broadcast to the whole namespace, every tenant included).
   */
  emit(ns: NamespaceName, roomNames: string | string[], event: string, data: unknown, options: EmitOptions = {}): void {
    if (this.closed || roomNames.length === 0) return;
    const { except } = options;
    if (!except) {
      this.namespace(ns).to(roomNames).emit(event, data);
      return;
    }
    // Alone on one process, nobody else to tell: skip encoding a packet that no socket would get.
    if (!this.redis && this.holdsOnly(ns, roomNames, except)) return;
    this.namespace(ns).to(roomNames).except(except).emit(event, data);
  }

  /** Whether every socket of this process in `roomNames` is `socketId` (or there is none). */
  private holdsOnly(ns: NamespaceName, roomNames: string | string[], socketId: string): boolean {
    const held = this.namespace(ns).adapter.rooms;
    for (const name of typeof roomNames === 'string' ? [roomNames] : roomNames) {
      const sockets = held.get(name);
      if (sockets && (sockets.size > 1 || (sockets.size === 1 && !sockets.has(socketId)))) return false;
    }
    return true;
  }

  /**
   * Makes the sockets in room `selector` join `room`, on every process. Local sockets join at once,
   * so an emit right after reaches them; other processes apply it in order with later emits, since
   * both travel through the same Redis connection.
   */
  join(ns: NamespaceName, selector: string, room: string): void {
    this.move({ ns, selector, room, join: true });
  }

  leave(ns: NamespaceName, selector: string, room: string): void {
    this.move({ ns, selector, room, join: false });
  }

  private move(request: MoveSockets): void {
    if (this.closed || !request.selector) return;
    this.moveLocal(request);
    if (this.redis) this.namespace('agent').serverSideEmit(MOVE_SOCKETS, request);
  }

  private moveLocal({ ns, selector, room, join }: MoveSockets): void {
    const local = this.namespace(ns).local.in(selector);
    if (join) local.socketsJoin(room);
    else local.socketsLeave(room);
  }

  /**
   * Checks again, on every process, that a member's sockets still hold a valid session: sockets
   * whose session was signed out or whose member was disabled are told and disconnected; the
   * others get the member's current role. Call it after signing out, disabling or changing a member.
   */
  async recheckMember(memberId: string): Promise<void> {
    this.auth.forget(memberId);
    if (!this.io || this.closed) return;
    if (this.redis) this.namespace('agent').serverSideEmit(RECHECK_MEMBERS, memberId);
    await this.recheck(memberId);
  }

  /**
   * Rechecks every member socket on every process, as the periodic sweep does; for changes that
   * touch many members at once (a role's grants edited, API keys revoked).
   */
  async recheckAll(): Promise<void> {
    this.auth.forget();
    if (!this.io || this.closed) return;
    if (this.redis) this.namespace('agent').serverSideEmit(RECHECK_MEMBERS, null);
    await this.recheck();
  }

  async attach(server: http.Server, options: AttachOptions): Promise<void> {
    if (this.io) throw new Error('realtime is already attached');
    this.admission = new Admission({
      perSocket: options.maxInFlightPerSocket ?? DEFAULT_LIMITS.perSocket,
      total: options.maxInFlight ?? DEFAULT_LIMITS.total,
      waiting: options.maxWaiting ?? DEFAULT_LIMITS.waiting,
      maxWaitMs: options.maxWaitMs ?? DEFAULT_LIMITS.maxWaitMs,
    });
    // Connect Redis first: if it is unreachable, start-up fails before anything listens.
    if (options.redisUrl) {
      // Loaded only when configured: a single process never pays for the Redis client at start.
      const { connectRedis } = await import('./redis-link.ts');
      this.redis = await connectRedis(options.redisUrl, this.log, {
        key: options.redisKey,
        connectTimeoutMs: options.redisConnectTimeoutMs,
        name: `parley-${process.pid}`,
      });
    }
    const io = new Server(server, {
      maxHttpBufferSize: options.maxPayloadBytes,
      // Sockets authenticate with a token, never with ambient browser credentials from another site.
      cors: { origin: true, credentials: false },
      ...(this.redis ? { adapter: this.redis.adapter } : {}),
    });
    this.io = io;
    io.engine.on('connection', (conn: { request: http.IncomingMessage }) => { conn.request = slimRequest(conn.request); });
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
      if (!req.url?.startsWith('/socket.io/')) return;
      this.upgraded.add(socket);
      socket.once('close', () => this.upgraded.delete(socket));
    });
    // Nothing lives in the main namespace; refuse it rather than hold unauthenticated sockets.
    io.of('/').use((_socket, next) => next(connectError(404, 'NOT_FOUND', 'Connect to /agent or /visitor.')));
    this.setUp('agent');
    this.setUp('visitor');
    this.namespace('agent').on(RECHECK_MEMBERS, (memberId: unknown) => {
      if (typeof memberId === 'string') void this.recheck(memberId);
      else if (memberId === null) void this.recheck();
    });
    this.namespace('agent').on(MOVE_SOCKETS, (request: MoveSockets) => {
      if (this.closed || (request?.ns !== 'agent' && request?.ns !== 'visitor')) return;
      if (typeof request.selector !== 'string' || typeof request.room !== 'string' || !request.selector) return;
      this.moveLocal({ ns: request.ns, selector: request.selector, room: request.room, join: request.join === true });
    });
    const every = options.recheckMs ?? 60_000;
    this.recheckTimer = setInterval(() => {
      // A sweep still running (slow database) is not stacked upon.
      if (this.sweeping) return;
      this.sweeping = true;
      void this.recheck().finally(() => { this.sweeping = false; });
    }, every);
    this.recheckTimer.unref();
  }

  private setUp(ns: NamespaceName): void {
    const nsp = this.namespace(ns);
    nsp.use((socket, next) => {
      this.authenticate(ns, socket).then(
        (principal) => {
          if (!principal) return next(unauthenticated(ns === 'visitor' ? 'A valid visitor token is required.' : 'A valid member session token is required.'));
          const data: SocketData = { principal, inFlight: 0 };
          socket.data = data;
          next();
        },
        (err) => {
          this.log.error({ err, ns }, 'socket authentication failed');
          next(connectError(500, 'INTERNAL', 'Something went wrong on our side; try again.'));
        },
      );
    });
    // One listener shared by every socket of the namespace, instead of one closure per event per
    // socket: idle sockets cost no more as plugins add events.
    const realtime = this;
    const onAny = function (this: Socket, event: unknown, ...args: unknown[]) {
      realtime.receive(ns, this, event, args);
    };
    nsp.on('connection', (socket) => this.connected(ns, socket, onAny));
  }

  private async authenticate(ns: NamespaceName, socket: Socket): Promise<MemberPrincipal | VisitorPrincipal | null> {
    const token = handshakeToken(socket.handshake);
    if (!token) return null;
    if (ns === 'visitor') return this.auth.verifyVisitorToken(token);
    return memberPrincipal(await this.auth.resolveMemberToken(token));
  }

  private connected(ns: NamespaceName, socket: Socket, onAny: (...args: unknown[]) => void): void {
    const { principal } = socket.data as SocketData;
    socket.join([rooms.tenant(principal.tenantId), principal.kind === 'member' ? rooms.member(principal.memberId) : rooms.visitor(principal.visitorId)]);
    socket.onAny(onAny);
    const listeners = this.connectionListeners.filter((l) => l.ns === ns);
    if (listeners.length === 0) return;
    const ctx: SocketContext = { principal, socket };
    this.pluginState.enabledSet(principal.tenantId).then(
      (enabled) => {
        // Gone meanwhile: its `disconnect` has fired already, so a listener would wait for it forever.
        if (!socket.connected) return;
        for (const l of listeners) {
          if (l.owner !== KERNEL_OWNER && !enabled.has(l.owner)) continue;
          Promise.resolve()
            .then(() => l.fn(ctx))
            .catch((err) => this.log.error({ err, owner: l.owner, ns }, 'socket connection listener failed'));
        }
      },
      (err) => this.log.error({ err, ns }, 'could not resolve plugins for a new socket; connection listeners skipped'),
    );
  }

  /** Every event a client sends arrives here: `emit(event, payload?, ack?)`. */
  private receive(ns: NamespaceName, socket: Socket, event: unknown, args: unknown[]): void {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as AckFn) : undefined;
    const payload = ack && args.length === 1 ? undefined : args[0];
    const reg = typeof event === 'string' ? this.events[ns].get(event) : undefined;
    if (!reg) {
      ack?.(unknownEvent(event));
      return;
    }
    const data = socket.data as SocketData;
    const run = async () => {
      // The principal is read when the event starts, not at connection, so a recheck's new grants apply at once.
      const ctx: SocketContext = { principal: data.principal, socket };
      const result = await runEvent(reg, payload, ctx, this.pluginState, (err) => this.log.error({ err, ns, event, owner: reg.owner }, 'socket event failed'));
      // What the handler published must be on its way to the other processes before the client
      // hears "done": a process killed between the two would leave the ack without its pushes.
      if (this.redis) await this.redis.flushed();
      ack?.(result);
    };
    this.admission.admit({ socket, window: data, run, refuse: (result) => ack?.(result) });
  }

  /** Checks the sessions of this process's member sockets (of one member, or all of them). */
  private async recheck(memberId?: string): Promise<void> {
    // Also reached from other processes' recheckMember/recheckAll: their change applies here too.
    this.auth.forget(memberId);
    if (!this.io || this.closed) return;
    const nsp = this.namespace('agent');
    const ids = memberId ? [...(nsp.adapter.rooms.get(rooms.member(memberId)) ?? [])] : [...nsp.sockets.keys()];
    const byToken = new Map<string, Socket[]>();
    for (const id of ids) {
      const socket = nsp.sockets.get(id);
      const token = socket && handshakeToken(socket.handshake);
      if (!socket || !token) continue;
      const same = byToken.get(token);
      if (same) same.push(socket);
      else byToken.set(token, [socket]);
    }
    for (const [token, sockets] of byToken) {
      if (this.closed) return;
      let fresh: MemberPrincipal | null;
      try {
        fresh = memberPrincipal(await this.auth.resolveMemberToken(token));
      } catch (err) {
        // The database being away says nothing about the sessions: keep the sockets, try next time.
        this.log.warn({ err }, 'could not recheck member sessions; will try again');
        return;
      }
      for (const socket of sockets) {
        const data = socket.data as SocketData;
        const held = data.principal as MemberPrincipal;
        if (fresh && fresh.memberId === held.memberId && fresh.tenantId === held.tenantId) data.principal = fresh;
        else endSession(socket);
      }
    }
  }

  /**
   * Stops the transport. Server-side sockets see `disconnect` with the reason `server shutting
   * down` (so plugins can tell a shutdown from a client leaving); clients see their connection
   * close and reconnect by themselves, to another process or to this one once it is back. The
   * HTTP server belongs to fastify.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.recheckTimer);
    if (this.io) {
      const io = this.io;
      // What io.close() does, minus closing the HTTP server.
      for (const nsp of io._nsps.values()) for (const socket of [...nsp.sockets.values()]) socket._onclose('server shutting down');
      io.engine.close();
      await Promise.all([...io._nsps.values()].map(async (nsp) => nsp.adapter.close()));
      await this.upgradedClosed(CLOSE_GRACE_MS);
    }
    await this.redis?.close();
  }

  /** Waits for WebSocket peers to answer the close, then cuts the ones that did not. */
  private async upgradedClosed(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.upgraded.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const socket of this.upgraded) socket.destroy();
    this.upgraded.clear();
  }
}

/**
 * Stands in for the HTTP request that opened a connection, which socket.io would keep for the
 * socket's whole life (and, with long-polling, the finished HTTP connection it points to). The
 * stand-in holds what handshakes of this connection read: headers (token cookie), URL and query.
 */
function slimRequest(req: http.IncomingMessage): http.IncomingMessage {
  const slim = {
    headers: req.headers,
    url: req.url,
    _query: (req as { _query?: unknown })._query,
    connection: { encrypted: !!(req.socket as { encrypted?: boolean } | null)?.encrypted, remoteAddress: req.socket?.remoteAddress },
  };
  return slim as unknown as http.IncomingMessage;
}

/** Drops the `remember` flag resolveMemberToken adds; a socket's principal is only who it is. */
function memberPrincipal(resolved: (MemberPrincipal & { remember?: boolean }) | null): MemberPrincipal | null {
  if (!resolved) return null;
  const principal = { ...resolved };
  delete principal.remember;
  return principal;
}

function endSession(socket: Socket): void {
  socket.emit(SESSION_ENDED_EVENT, toErrorBody(errors.unauthorized('Your session has ended; sign in again.')));
  socket.disconnect();
}
