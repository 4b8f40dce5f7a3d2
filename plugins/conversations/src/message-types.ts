/**
 * Message types: the built-in ones and those other plugins register. Each type validates its body
 * with a schema and may `prepare` it (check references, add derived fields) before it is stored.
 */
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { AppError, errors } from '../../../core/http/errors.ts';
import type { Sender, SenderKind } from './types.ts';

export interface MessageTypeContext {
  tenantId: string;
  sessionId: string;
  sender: Sender;
}

export interface MessageTypeDef {
  /** Lowercase letters, digits and dashes, e.g. `custom-emoji`. */
  type: string;
  /** TypeBox schema of the body the client sends. */
  schema: TSchema;
  /** Who may send it (default visitors and agents). */
  senders?: Array<Exclude<SenderKind, 'system'>>;
  /** Checks and completes the body; throw an AppError to refuse it. */
  prepare?(body: Record<string, unknown>, ctx: MessageTypeContext): Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Whether the tenant may use the type (e.g. the owning plugin is enabled). */
  isEnabled?(tenantId: string): boolean | Promise<boolean>;
  /** A permission node an agent needs to send it. */
  agentPermission?: string;
  /** Short plain-text stand-in for session lists, e.g. "[Image]". */
  preview?(body: Record<string, unknown>): string;
}

const TYPE_NAME = /^[a-z][a-z0-9-]{1,39}$/;

export class MessageTypes {
  private readonly defs = new Map<string, MessageTypeDef>();
  /** Compiled on first use: checking by walking the schema cost 5 % of the server's CPU on the send path. */
  private readonly checks = new Map<string, ReturnType<typeof Compile>>();

  register(def: MessageTypeDef): void {
    if (!TYPE_NAME.test(def.type)) throw new Error(`message type "${def.type}" must be lowercase letters, digits and dashes`);
    if (def.type === 'system' || this.defs.has(def.type)) throw new Error(`message type "${def.type}" is already registered`);
    this.defs.set(def.type, def);
  }

  names(): string[] {
    return [...this.defs.keys()];
  }

  get(type: string): MessageTypeDef | undefined {
    return this.defs.get(type);
  }

  /** The body to store, or an error naming what is wrong. */
  async validate(type: string, body: unknown, ctx: MessageTypeContext & { grants?: (key: string) => boolean }): Promise<{ def: MessageTypeDef; body: Record<string, unknown> }> {
    const def = this.defs.get(type);
    const kind = ctx.sender.kind as Exclude<SenderKind, 'system'>;
    if (!def || !(def.senders ?? ['visitor', 'agent']).includes(kind) || (def.isEnabled && !(await def.isEnabled(ctx.tenantId)))) {
      throw errors.badRequest('UNKNOWN_MESSAGE_TYPE', `Messages of type "${type}" cannot be sent here.`, 'type');
    }
    if (kind === 'agent' && def.agentPermission && !ctx.grants?.(def.agentPermission)) {
      throw errors.forbidden('PERMISSION_DENIED', `Your role lacks the permission "${def.agentPermission}".`);
    }
    let check = this.checks.get(type);
    if (!check) this.checks.set(type, (check = Compile(def.schema)));
    if (!check.Check(body)) {
      const first = check.Errors(body)[0];
      const path = first?.instancePath.replace(/^\//, '').replace(/\//g, '.');
      const field = path ? `body.${path}` : 'body';
      throw errors.badRequest('VALIDATION_FAILED', `${field}: ${first?.message ?? 'is invalid'}`, field);
    }
    const prepared = def.prepare ? await def.prepare(body as Record<string, unknown>, ctx) : (body as Record<string, unknown>);
    if (!prepared || typeof prepared !== 'object') throw new AppError(500, 'INTERNAL', `message type ${type} prepared no body`);
    return { def, body: prepared };
  }

  preview(type: string, body: Record<string, unknown>): string {
    const def = this.defs.get(type);
    const text = def?.preview ? def.preview(body) : `[${type}]`;
    return text.slice(0, 200);
  }
}
