/**
 * Socket events plugins register, and the gate every incoming event passes before its handler
 * runs: the owning plugin is enabled for the tenant, the caller holds the permission, the payload
 * fits the schema. Like a route, an event answers through its ack with one shape.
 */
import type { Socket } from 'socket.io';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { MemberPrincipal, VisitorPrincipal } from '../auth/principal.ts';
import { errors, toErrorBody, type ErrorBody } from '../http/errors.ts';
import { grantsCover } from '../permissions/tree.ts';
import { KERNEL_OWNER } from '../hooks/hook-bus.ts';
import { pluginDisabled } from '../http/access.ts';

export type NamespaceName = 'agent' | 'visitor';

export interface SocketContext<P = MemberPrincipal | VisitorPrincipal> {
  principal: P;
  socket: Socket;
}

export interface SocketEventOptions {
  /** A permission node or `@member` on `agent`; `@visitor` on `visitor`. */
  permission: string;
  /** TypeBox/JSON schema the payload must satisfy. */
  schema?: TSchema;
}

export type SocketHandler = (payload: unknown, ctx: SocketContext) => unknown;

export type Ack = { ok: true; data?: unknown } | { ok: false; error: ErrorBody };

export interface Registration {
  owner: string;
  permission: string;
  handler: SocketHandler;
  /** The payload validator, compiled on the event's first use rather than at start-up. */
  check?: () => ReturnType<typeof Compile>;
}

export function registration(ns: NamespaceName, event: string, owner: string, options: SocketEventOptions, handler: SocketHandler): Registration {
  const { permission } = options;
  if (!permission) throw new Error(`socket event ${ns}:${event} declares no permission`);
  // Visitors hold no grants and members never join /visitor, so other combinations could never pass.
  const fits = ns === 'visitor' ? permission === '@visitor' : permission === '@member' || !permission.startsWith('@');
  if (!fits) throw new Error(`socket event ${ns}:${event} cannot use permission "${permission}" (use ${ns === 'visitor' ? '@visitor' : '@member or a permission node'})`);
  const schema = options.schema;
  let compiled: ReturnType<typeof Compile> | undefined;
  return { owner, permission, handler, ...(schema ? { check: () => (compiled ??= Compile(schema)) } : {}) };
}

function validationError(check: ReturnType<typeof Compile>, payload: unknown) {
  const first = check.Errors(payload)[0];
  const missing = (first?.params as { requiredProperties?: string[] } | undefined)?.requiredProperties?.[0];
  const at = first?.instancePath.replace(/^\//, '').replace(/\//g, '.') ?? '';
  const field = [at, missing].filter(Boolean).join('.') || 'payload';
  return errors.badRequest('VALIDATION_FAILED', `${field}: ${first?.message ?? 'is invalid'}`, field);
}

export interface GateDeps {
  isEnabled(tenantId: string, pluginId: string): Promise<boolean>;
}

/** Runs one event through the gate and its handler; resolves to the ack, never rejects. */
export async function runEvent(
  reg: Registration,
  payload: unknown,
  ctx: SocketContext,
  deps: GateDeps,
  onInternalError: (err: unknown) => void,
): Promise<Ack> {
  try {
    const { principal } = ctx;
    if (reg.owner !== KERNEL_OWNER && !(await deps.isEnabled(principal.tenantId, reg.owner))) throw pluginDisabled(reg.owner);
    if (!reg.permission.startsWith('@') && (principal.kind !== 'member' || !grantsCover(principal.grants, reg.permission))) {
      throw errors.forbidden('PERMISSION_DENIED', `Your role lacks the permission "${reg.permission}".`);
    }
    const check = reg.check?.();
    if (check && !check.Check(payload)) throw validationError(check, payload);
    return { ok: true, data: await reg.handler(payload, ctx) };
  } catch (err) {
    const error = toErrorBody(err);
    if (error.statusCode >= 500) onInternalError(err);
    return { ok: false, error };
  }
}

/** An ack for an event nobody registered; the name is echoed back only in part. */
export function unknownEvent(event: unknown): Ack {
  const name = String(event).slice(0, 100);
  return { ok: false, error: toErrorBody(errors.notFound('UNKNOWN_EVENT', `There is no event "${name}".`)) };
}
