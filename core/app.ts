/**
 * Builds a Parley server: database, kernel services, HTTP API with OpenAPI, realtime transport and
 * plugins. `main.ts` starts it; tests build one per test file.
 */
import path from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import { asValue, createContainer, InjectionMode, type AwilixContainer } from 'awilix';
import pino, { type Logger } from 'pino';
import type { Config } from '../config/index.ts';
import { databaseTarget, openDatabase, type Database } from './db/connect.ts';
import * as migrator from './db/migrator.ts';
import { errorHandler } from './http/errors.ts';
import { registerValidation } from './http/validation.ts';
import { registerAccessGate } from './http/access.ts';
import { registerOpenApi } from './http/openapi.ts';
import { TenantService } from './tenants/tenant-service.ts';
import { MemberService } from './members/member-service.ts';
import { RoleService } from './permissions/role-service.ts';
import { PermissionRegistry } from './permissions/tree.ts';
import { KERNEL_PERMISSIONS } from './permissions/kernel-nodes.ts';
import { AuthService } from './auth/auth-service.ts';
import { HookBus, KERNEL_OWNER } from './hooks/hook-bus.ts';
import { Outbox } from './hooks/outbox.ts';
import { FileStore } from './files/file-store.ts';
import { systemClock, type Clock } from './clock.ts';
import { Scheduler } from './jobs/scheduler.ts';
import { Realtime } from './realtime/realtime.ts';
import { PluginStateService } from './plugin-host/plugin-state.ts';
import { discoverPlugins, orderByDependencies } from './plugin-host/discover.ts';
import { declarePermissions, migratePlugins, registerPlugins } from './plugin-host/plugin-host.ts';
import type { PluginDescriptor } from './plugin-host/manifest.ts';
import type { KernelServices } from './plugin-host/context.ts';
import { kernelRoutes } from './http/kernel-routes.ts';
import { staticUi } from './http/static-ui.ts';
import { registerVisitorCors } from './http/visitor-cors.ts';
import { staticWidget } from './http/static-widget.ts';
import { visitorUiRoutes } from './http/visitor-ui.ts';
import './http/fastify-types.ts';
import { ROOT_DIR } from './module-loader.ts';

export { ROOT_DIR };

export const CORE_LEDGER: migrator.Ledger = { name: 'core', directory: path.join(ROOT_DIR, 'migrations') };

export interface ParleyApp {
  http: FastifyInstance;
  kernel: KernelServices;
  container: AwilixContainer;
  plugins: PluginDescriptor[];
  db: Database;
  listen(): Promise<string>;
  /** Compiles every route and socket event schema now (they compile on first use; listen() warms the routes up after the port is open). */
  compileSchemas(): Promise<void>;
  close(): Promise<void>;
}

export interface BuildOptions {
  config: Config;
  /** An already open database (tests); otherwise opened from the config. */
  db?: Database;
  logger?: Logger;
  /** The application's clock (tests pass a ManualClock). */
  clock?: Clock;
  /** Folder of built-in plugins (default `plugins/`). */
  pluginsDir?: string;
}

/** Finds the plugins in dependency order. */
export function loadPluginDescriptors(config: Config, pluginsDir = path.join(ROOT_DIR, 'plugins')): PluginDescriptor[] {
  return orderByDependencies(discoverPlugins(pluginsDir, config.pluginPaths));
}

export async function migrateAll(db: Database, plugins: PluginDescriptor[]): Promise<void> {
  await migrator.up(db.knex, CORE_LEDGER);
  await migratePlugins(db.knex, plugins);
}

export async function buildApp(options: BuildOptions): Promise<ParleyApp> {
  const { config } = options;
  const log = options.logger ?? pino({ level: config.logLevel });
  const plugins = loadPluginDescriptors(config, options.pluginsDir);
  const db = options.db ?? (await openDatabase(databaseTarget(config)));
  await migrateAll(db, plugins);
  const knex = db.knex;

  const permissions = new PermissionRegistry();
  permissions.declare(KERNEL_OWNER, KERNEL_PERMISSIONS);
  const tenants = new TenantService(knex);
  const pluginState = new PluginStateService(knex, tenants, plugins);
  const hooks = new HookBus((tenantId) => pluginState.enabledSet(tenantId), log);
  const roles = new RoleService(knex, permissions);
  const members = new MemberService(knex, roles, hooks);
  const auth = new AuthService(knex, tenants, roles, hooks);
  const outbox = new Outbox();
  const realtime = new Realtime(auth, pluginState, log);
  const files = new FileStore(knex, config.uploadMaxBytes);
  const clock = options.clock ?? systemClock;
  const jobs = new Scheduler(knex, db.kind, clock, log);
  const database = { kind: db.kind, connections: db.connections };
  const kernel: KernelServices = { config, knex, database, log, tenants, members, roles, auth, permissions, pluginState, hooks, realtime, outbox, files, clock, jobs };
  pluginState.onChange((tenantId, pluginId, enabled) => {
    void hooks.action(enabled ? 'plugin.enabled' : 'plugin.disabled', { tenantId }, { pluginId });
  });
  declarePermissions(kernel, plugins);

  const container = createContainer({ injectionMode: InjectionMode.PROXY, strict: true });
  for (const [name, value] of Object.entries(kernel)) container.register(name, asValue(value));

  const http: FastifyInstance = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
  });
  const validation = registerValidation(http);
  http.setErrorHandler(errorHandler);
  http.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ statusCode: 404, code: 'NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}.` });
  });
  await http.register(cookie);
  await http.register(rateLimit, { global: false });
  await registerOpenApi(http);
  registerAccessGate(http, { auth, tenants, pluginState, operatorToken: config.operatorToken });
  registerVisitorCors(http);
  await http.register(kernelRoutes(kernel, plugins));
  await http.register(staticUi(kernel, path.join(ROOT_DIR, 'ui', 'dist')));
  await http.register(staticWidget(path.join(ROOT_DIR, 'ui/dist/widget')));
  await http.register(visitorUiRoutes(kernel, plugins, path.join(ROOT_DIR, 'ui/dist/widget')));
  await registerPlugins(http, kernel, container, plugins);
  await http.ready();
  await realtime.attach(http.server, { redisUrl: config.redisUrl, maxPayloadBytes: config.socketMaxPayloadBytes });

  let closed = false;
  return {
    http,
    kernel,
    container,
    plugins,
    db,
    async listen() {
      const address = await http.listen({ port: config.port, host: config.host });
      jobs.start();
      validation.compileAll().catch((err: unknown) => log.error({ err }, 'a route schema does not compile'));
      return address;
    },
    async compileSchemas() {
      realtime.compileSchemas();
      await validation.compileAll();
    },
    async close() {
      if (closed) return;
      closed = true;
      await jobs.stop();
      await realtime.close();
      await http.close();
      await container.dispose();
      await db.close();
    },
  };
}
