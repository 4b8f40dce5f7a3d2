/**
 * Realtime transport: socket.io on Parley's HTTP server with two namespaces, `/agent` (members)
 * and `/visitor`. Sockets are authenticated at the handshake and join rooms for their tenant and
 * themselves; plugins add events here and each event is gated like a route: plugin enabled for the
 * tenant, permission held, payload valid. With Redis, emits reach sockets on every Parley process.
 */
import type http from 'node:http';
import { Server, type Namespace, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { Logger } from 'pino';
import type { AuthService } from '../auth/auth-service.ts';
import type { PluginStateService } from '../plugin-host/plugin-state.ts';
import type { MemberPrincipal, VisitorPrincipal } from '../auth/principal.ts';
import { AppError, errors, toErrorBody } from '../http/errors.ts';
import { grantsCover } from '../permissions/tree.ts';
import { KERNEL_OWNER } from '../hooks/hook-bus.ts';
import { SESSION_COOKIE, pluginDisabled } from '../http/access.ts';

export type NamespaceName = 'agent' | 'visitor';

export interface SocketContext<P = MemberPrincipal | VisitorPrincipal> {
  principal: P;
  socket: Socket;
}

export interface SocketEventOptions {
  /** A permission node, or `@member` / `@visitor` for anyone connected to that namespace. */
  permission: string;
  /** TypeBox/JSON schema the payload must satisfy. */
  schema?: TSchema;
}

export type SocketHandler = (payload: unknown, ctx: SocketContext) => unknown;

interface Registration extends SocketEventOptions {
  owner: string;
  handler: SocketHandler;
}

export type Ack = { ok: true; data?: unknown } | { ok: false; error: ReturnType<typeof toErrorBody> };

export const rooms = {
  tenant: (tenantId: string) => `t:${tenantId}`,
  member: (memberId: string) => `m:${memberId}`,
  visitor: (visitorId: string) => `v:${visitorId}`,
};

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export class Realtime {
  private io?: Server;
  private readonly events: Record<NamespaceName, Map<string, Registration>> = { agent: new Map(), visitor: new Map() };
  private readonly connectionListeners: Array<{ owner: string; ns: NamespaceName; fn: (ctx: SocketContext) => unknown }> = [];
  private redisClients: Array<{ quit(): Promise<unknown> }> = [];

  constructor(
    private readonly auth: AuthService,
    private readonly pluginState: PluginStateService,
    private readonly log: Logger,
  ) {}

  /** Adds a socket event. Registering the same event twice is a start-up error. */
  on(owner: string, ns: NamespaceName, event: string, options: SocketEventOptions, handler: SocketHandler): void {
    if (this.events[ns].has(event)) throw new Error(`socket event ${ns}:${event} is registered twice`);
    if (!options.permission) throw new Error(`socket event ${ns}:${event} declares no permission`);
    this.events[ns].set(event, { ...options, owner, handler });
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

  /** Emits to every socket of `ns` in any of `roomNames`, on every Parley process. */
  emit(ns: NamespaceName, roomNames: string | string[], event: string, data: unknown): void {
    this.namespace(ns).to(roomNames).emit(event, data);
  }

  /** Makes the sockets in room `selector` join `room` (works across processes). */
  join(ns: NamespaceName, selector: string, room: string): void {
    this.namespace(ns).in(selector).socketsJoin(room);
  }

  leave(ns: NamespaceName, selector: string, room: string): void {
    this.namespace(ns).in(selector).socketsLeave(room);
  }

  async attach(server: http.Server, options: { redisUrl?: string; maxPayloadBytes: number }): Promise<void> {
    const io = new Server(server, {
      maxHttpBufferSize: options.maxPayloadBytes,
      cors: { origin: true, credentials: true },
    });
    if (options.redisUrl) {
      const pub = createClient({ url: options.redisUrl });
      const sub = pub.duplicate();
      pub.on('error', (err) => this.log.error({ err }, 'redis publisher error'));
      sub.on('error', (err) => this.log.error({ err }, 'redis subscriber error'));
      await Promise.all([pub.connect(), sub.connect()]);
      this.redisClients = [pub, sub];
      io.adapter(createAdapter(pub, sub));
    }
    this.io = io;
    this.setUp('agent');
    this.setUp('visitor');
  }

  private setUp(ns: NamespaceName): void {
    const nsp = this.namespace(ns);
    nsp.use((socket, next) => {
      this.authenticate(ns, socket)
        .then((principal) => {
          if (!principal) return next(Object.assign(new Error('UNAUTHENTICATED'), { data: { code: 'UNAUTHENTICATED' } }));
          socket.data.principal = principal;
          next();
        })
        .catch((err) => next(err as Error));
    });
    nsp.on('connection', (socket) => this.connected(ns, socket));
  }

  private async authenticate(ns: NamespaceName, socket: Socket): Promise<MemberPrincipal | VisitorPrincipal | null> {
    const given = (socket.handshake.auth as { token?: unknown })?.token;
    const token = typeof given === 'string' ? given : cookieValue(socket.handshake.headers.cookie, SESSION_COOKIE);
    if (!token) return null;
    if (ns === 'visitor') return this.auth.verifyVisitorToken(token);
    return this.auth.resolveMemberToken(token);
  }

  private connected(ns: NamespaceName, socket: Socket): void {
    const principal = socket.data.principal as MemberPrincipal | VisitorPrincipal;
    socket.join(rooms.tenant(principal.tenantId));
    socket.join(principal.kind === 'member' ? rooms.member(principal.memberId) : rooms.visitor(principal.visitorId));
    for (const [event, reg] of this.events[ns]) {
      socket.on(event, (payload: unknown, ack?: unknown) => {
        void this.dispatch(reg, principal, socket, payload, typeof ack === 'function' ? (ack as (a: Ack) => void) : undefined);
      });
    }
    socket.onAny((event: string, ...args: unknown[]) => {
      const ack = args[args.length - 1];
      if (!this.events[ns].has(event) && typeof ack === 'function') {
        (ack as (a: Ack) => void)({ ok: false, error: toErrorBody(errors.notFound('UNKNOWN_EVENT', `There is no event "${event}".`)) });
      }
    });
    const ctx: SocketContext = { principal, socket };
    void this.pluginState.enabledSet(principal.tenantId).then((enabled) => {
      for (const l of this.connectionListeners) {
        if (l.ns !== ns || (l.owner !== KERNEL_OWNER && !enabled.has(l.owner))) continue;
        Promise.resolve()
          .then(() => l.fn(ctx))
          .catch((err) => this.log.error({ err, owner: l.owner }, 'socket connection listener failed'));
      }
    });
  }

  private async dispatch(reg: Registration, principal: MemberPrincipal | VisitorPrincipal, socket: Socket, payload: unknown, ack?: (a: Ack) => void) {
    try {
      if (reg.owner !== KERNEL_OWNER && !(await this.pluginState.isEnabled(principal.tenantId, reg.owner))) {
        throw pluginDisabled(reg.owner);
      }
      if (!reg.permission.startsWith('@')) {
        if (principal.kind !== 'member' || !grantsCover(principal.grants, reg.permission)) {
          throw errors.forbidden('PERMISSION_DENIED', `Your role lacks the permission "${reg.permission}".`);
        }
      }
      if (reg.schema && !Value.Check(reg.schema, payload)) {
        const first = Value.Errors(reg.schema, payload)[0];
        const field = first?.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'payload';
        throw errors.badRequest('VALIDATION_FAILED', `${field}: ${first?.message ?? 'is invalid'}`, field);
      }
      const data = await reg.handler(payload, { principal, socket });
      ack?.({ ok: true, data });
    } catch (err) {
      if (!(err instanceof AppError)) this.log.error({ err, event: reg.owner }, 'socket event failed');
      ack?.({ ok: false, error: toErrorBody(err) });
    }
  }

  async close(): Promise<void> {
    // The HTTP server belongs to fastify, which closes it; here only the sockets and engine go.
    if (this.io) {
      this.io.disconnectSockets(true);
      this.io.engine.close();
    }
    await Promise.all(this.redisClients.map((c) => c.quit().catch(() => undefined)));
  }
}
