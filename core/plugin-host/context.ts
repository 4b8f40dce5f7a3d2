/**
 * What a plugin's server entry receives: the kernel's public API. Built-in and third-party plugins
 * get exactly this and nothing else; every route, socket event and hook registered through it is
 * bound to the plugin, so the host can switch it off per tenant.
 */
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import type { EventSource } from '../hooks/outbox.ts';
import type { Logger } from 'pino';
import type { AwilixContainer } from 'awilix';
import type { PluginManifest } from './manifest.ts';
import type { HookBus } from '../hooks/hook-bus.ts';
import type { ActionName, ActionPayloads, FilterName, FilterValues, HookContext } from '../hooks/types.ts';
import type { EmitOptions, NamespaceName, Realtime, SocketEventOptions, SocketHandler, SocketContext } from '../realtime/realtime.ts';
import type { Outbox } from '../hooks/outbox.ts';
import type { TenantService } from '../tenants/tenant-service.ts';
import type { MemberService } from '../members/member-service.ts';
import type { RoleService } from '../permissions/role-service.ts';
import type { PermissionRegistry } from '../permissions/tree.ts';
import type { PluginStateService } from './plugin-state.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { Config } from '../../config/index.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/connect.ts';
import type { JobOptions, JobRun, Scheduler } from '../jobs/scheduler.ts';
import type { FileStore, SaveFileInput, StoredFile } from '../files/file-store.ts';
import type { FastifyReply } from 'fastify';

/** Which database `knex` reaches, and how many connections its pool opens at most (PGlite: one). */
export type DatabaseFacts = Pick<Database, 'kind' | 'connections'>;

/** Kernel services a plugin may call. */
export interface KernelServices {
  config: Readonly<Config>;
  knex: Knex;
  database: DatabaseFacts;
  log: Logger;
  tenants: TenantService;
  members: MemberService;
  roles: RoleService;
  auth: AuthService;
  permissions: PermissionRegistry;
  pluginState: PluginStateService;
  hooks: HookBus;
  realtime: Realtime;
  outbox: Outbox;
  files: FileStore;
  clock: Clock;
  jobs: Scheduler;
}

export interface PluginContext {
  readonly id: string;
  readonly manifest: PluginManifest;
  /** Absolute folder of the plugin. */
  readonly dir: string;
  readonly log: Logger;
  readonly knex: Knex;
  /** Which database `knex` reaches and its pool size: size work that holds connections by it. */
  readonly database: DatabaseFacts;
  readonly config: Readonly<Config>;
  /** An awilix scope holding the kernel services; register the plugin's own services here. */
  readonly container: AwilixContainer;
  readonly tenants: TenantService;
  readonly members: MemberService;
  readonly roles: RoleService;
  readonly auth: AuthService;
  /** Adds routes, mounted under `/api/<plugin id>`. Each route's `config.permission` is required. */
  routes(register: (app: FastifyInstance) => void | Promise<void>): void;
  hooks: {
    onAction<N extends ActionName>(name: N, handler: (payload: ActionPayloads[N], ctx: HookContext) => unknown): void;
    addFilter<N extends FilterName>(name: N, handler: (value: FilterValues[N], ctx: HookContext) => FilterValues[N] | Promise<FilterValues[N]>, priority?: number): void;
    action<N extends ActionName>(name: N, ctx: HookContext, payload: ActionPayloads[N]): Promise<void>;
    filter<N extends FilterName>(name: N, ctx: HookContext, value: FilterValues[N]): Promise<FilterValues[N]>;
  };
  realtime: {
    on(ns: NamespaceName, event: string, options: SocketEventOptions, handler: SocketHandler): void;
    onConnection(ns: NamespaceName, fn: (ctx: SocketContext) => unknown): void;
    /** `options.except`: a socket id to leave out, e.g. the sender, whose acknowledgement already carries the result. */
    emit(ns: NamespaceName, rooms: string | string[], event: string, data: unknown, options?: EmitOptions): void;
    join(ns: NamespaceName, selector: string, room: string): void;
    leave(ns: NamespaceName, selector: string, room: string): void;
  };
  /** Uploaded files, stored in the database, typed by their bytes. */
  files: {
    save(input: SaveFileInput, trx?: Knex | Knex.Transaction): Promise<StoredFile>;
    get(tenantId: string, id: string): Promise<StoredFile & { data: Buffer }>;
    meta(tenantId: string, id: string): Promise<StoredFile>;
    send(reply: FastifyReply, tenantId: string, id: string, opts?: { download?: boolean; cacheSeconds?: number }): Promise<FastifyReply>;
  };
  /** The application's clock: decide by `clock.now()`, never `Date.now()`, so tests can move time. */
  readonly clock: Clock;
  /**
   * Recurring work, run on one process at a time (`{ eachProcess: true }`: on every process); `name`
   * is prefixed with the plugin id. A job is not tied to a tenant, so it works only for `enabledTenants()`.
   */
  jobs: { every(name: string, everyMs: number, run: JobRun, options?: JobOptions): void };
  /** Records a domain event in the caller's transaction (the outbox). */
  recordEvent(trx: Knex | Knex.Transaction, tenantId: string, type: string, payload: Record<string, unknown>): Promise<number>;
  /**
   * `recordEvent` as a CTE body for a statement of your own (`with m as (insert ...), e as (?) ...`):
   * one event per row of `from.cte`. For hot paths where one statement replaces a transaction.
   */
  eventsFrom(type: string, from: EventSource): Knex.Raw;
  isEnabled(tenantId: string): Promise<boolean>;
  /** Ids of the tenants that have this plugin enabled: background work runs for these only. */
  enabledTenants(): Promise<string[]>;
  settings(tenantId: string): Promise<Record<string, unknown>>;
  /** Publishes an API for plugins that declare this one as a dependency. */
  expose<T extends object>(api: T): void;
  /** The API a declared dependency exposed. */
  dependency<T extends object>(pluginId: string): T;
}

export type PluginEntry = (ctx: PluginContext) => void | Promise<void>;

/** Types a plugin's server entry: `export default definePlugin(async (ctx) => { ... })`. */
export function definePlugin(entry: PluginEntry): PluginEntry {
  return entry;
}
