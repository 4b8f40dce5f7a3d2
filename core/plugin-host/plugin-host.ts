/**
 * The plugin host: runs each plugin's migrations on its own ledger (after the kernel's, in
 * dependency order, under the table rule), declares its permission nodes, and calls its server
 * entry with a context whose routes, socket events and hooks are all bound to the plugin and gated
 * per tenant.
 */
import path from 'node:path';
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { migrationsDir, type PluginDescriptor } from './manifest.ts';
import type { KernelServices, PluginContext, PluginEntry } from './context.ts';
import type { AwilixContainer } from 'awilix';
import * as migrator from '../db/migrator.ts';
import { tableRule } from './table-rule.ts';
import { importModule } from '../module-loader.ts';

export class PluginStartError extends Error {
  override name = 'PluginStartError';
}

export function ledgerOf(p: PluginDescriptor): migrator.Ledger {
  return { name: p.manifest.id, directory: migrationsDir(p) };
}

/** Applies one plugin's pending migrations under the table rule. */
export async function migratePlugin(knex: Knex, p: PluginDescriptor): Promise<string[]> {
  return migrator.up(knex, ledgerOf(p), { check: tableRule(p.manifest) });
}

/** Reverts the last `steps` migrations of one plugin. */
export async function revertPlugin(knex: Knex, p: PluginDescriptor, steps = 1): Promise<string[]> {
  return migrator.down(knex, ledgerOf(p), steps, { check: tableRule(p.manifest) });
}

/** Migrates plugins in the order given (dependency order). */
export async function migratePlugins(knex: Knex, plugins: PluginDescriptor[]): Promise<void> {
  for (const p of plugins) await migratePlugin(knex, p);
}

export function declarePermissions(kernel: KernelServices, plugins: PluginDescriptor[]): void {
  for (const p of plugins) {
    for (const group of p.manifest.permissions ?? []) {
      const parent = group.parent ?? null;
      if (parent) {
        const owner = kernel.permissions.get(parent)?.owner;
        const allowed = owner === 'core' || owner === p.manifest.id || (p.manifest.dependencies ?? []).includes(owner ?? '');
        if (!allowed) throw new PluginStartError(`plugin ${p.manifest.id} puts permissions under "${parent}", which belongs to neither the kernel nor a dependency`);
      }
      kernel.permissions.declare(p.manifest.id, group.nodes as never, parent);
    }
  }
}

async function loadEntry(p: PluginDescriptor): Promise<PluginEntry | null> {
  const file = path.join(p.dir, p.manifest.server ?? 'server.ts');
  if (!fs.existsSync(file)) {
    if (p.manifest.server) throw new PluginStartError(`plugin ${p.manifest.id}: server entry ${file} does not exist`);
    return null;
  }
  const mod = (await importModule(file)) as { default?: PluginEntry };
  if (typeof mod.default !== 'function') throw new PluginStartError(`plugin ${p.manifest.id}: ${file} must export a default function (definePlugin)`);
  return mod.default;
}

/**
 * Fastify features that would answer requests without the access gate deciding first: a not-found
 * handler runs for unmatched URLs (no route, so no plugin check), and an error handler could turn
 * PLUGIN_DISABLED into something else. Plugin contexts (and their children) may use neither.
 */
function sealContext(child: FastifyInstance, id: string): void {
  for (const method of ['setNotFoundHandler', 'setErrorHandler'] as const) {
    Object.defineProperty(child, method, {
      value: () => {
        throw new PluginStartError(`plugin ${id}: ${method} is not available to plugins (the kernel answers not-found and errors for every route)`);
      },
    });
  }
}

function bindRoutes(child: FastifyInstance, id: string): void {
  child.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), pluginId: id };
    const permission = route.config.permission;
    if (!permission) throw new PluginStartError(`plugin ${id}: route ${route.method} ${route.url} declares no config.permission`);
    if (permission === '@public' && !route.url.includes(':tenant')) {
      throw new PluginStartError(`plugin ${id}: public route ${route.url} must name its tenant with a :tenant path parameter`);
    }
  });
}

export async function registerPlugins(app: FastifyInstance, kernel: KernelServices, container: AwilixContainer, plugins: PluginDescriptor[]): Promise<void> {
  const exposed = new Map<string, object>();
  for (const p of plugins) {
    const id = p.manifest.id;
    const entry = await loadEntry(p);
    if (!entry) continue;
    const routeFns: Array<(app: FastifyInstance) => void | Promise<void>> = [];
    // Everything a plugin registers is registered while it starts, so the host (and the contract
    // test) sees all of it; later registrations would escape that view.
    let started = false;
    const duringStart = <A extends unknown[], R>(what: string, fn: (...args: A) => R) => (...args: A): R => {
      if (started) throw new PluginStartError(`plugin ${id}: ${what} must be called while the plugin starts, not later`);
      return fn(...args);
    };
    const ctx: PluginContext = {
      id,
      manifest: p.manifest,
      dir: p.dir,
      log: kernel.log.child({ plugin: id }),
      knex: kernel.knex,
      database: kernel.database,
      config: kernel.config,
      container: container.createScope(),
      tenants: kernel.tenants,
      members: kernel.members,
      roles: kernel.roles,
      auth: kernel.auth,
      routes: duringStart('ctx.routes()', (fn) => {
        routeFns.push(fn);
      }),
      hooks: {
        onAction: duringStart('ctx.hooks.onAction()', (name, handler) => kernel.hooks.onAction(id, name, handler)),
        addFilter: duringStart('ctx.hooks.addFilter()', (name, handler, priority) => kernel.hooks.addFilter(id, name, handler, priority)),
        action: (name, hctx, payload) => kernel.hooks.action(name, hctx, payload),
        filter: (name, hctx, value) => kernel.hooks.filter(name, hctx, value),
      },
      realtime: {
        on: duringStart('ctx.realtime.on()', (ns, event, options, handler) => kernel.realtime.on(id, ns, event, options, handler)),
        onConnection: duringStart('ctx.realtime.onConnection()', (ns, fn) => kernel.realtime.onConnection(id, ns, fn)),
        emit: (ns, rooms, event, data, options) => kernel.realtime.emit(ns, rooms, event, data, options),
        join: (ns, selector, room) => kernel.realtime.join(ns, selector, room),
        leave: (ns, selector, room) => kernel.realtime.leave(ns, selector, room),
      },
      files: {
        save: (input, trx) => kernel.files.save(id, input, trx),
        get: (tenantId, fileId) => kernel.files.get(tenantId, fileId),
        meta: (tenantId, fileId) => kernel.files.meta(tenantId, fileId),
        send: (reply, tenantId, fileId, opts) => kernel.files.send(reply, tenantId, fileId, opts),
      },
      clock: kernel.clock,
      jobs: { every: duringStart('ctx.jobs.every()', (name, everyMs, run, options) => kernel.jobs.every(id, `${id}.${name}`, everyMs, run, options)) },
      enabledTenants: () => kernel.pluginState.tenantsWith(id),
      recordEvent: (trx, tenantId, type, payload) => kernel.outbox.record(trx, tenantId, id, type, payload),
      eventsFrom: (type, from) => kernel.outbox.insertFrom(kernel.knex, id, type, from),
      isEnabled: (tenantId) => kernel.pluginState.isEnabled(tenantId, id),
      settings: (tenantId) => kernel.pluginState.getSettings(tenantId, id),
      expose: (api) => {
        exposed.set(id, api);
      },
      dependency: <T extends object>(depId: string): T => {
        if (!(p.manifest.dependencies ?? []).includes(depId)) throw new PluginStartError(`plugin ${id} must declare "${depId}" as a dependency to use it`);
        const api = exposed.get(depId);
        if (!api) throw new PluginStartError(`plugin ${depId} exposes no API (it calls ctx.expose() to publish one)`);
        return api as T;
      },
    };
    try {
      await entry(ctx);
    } catch (err) {
      if (err instanceof PluginStartError) throw err;
      throw new PluginStartError(`plugin ${id} failed to start: ${(err as Error).message}`, { cause: err });
    }
    started = true;
    await app.register(
      async (child) => {
        bindRoutes(child, id);
        sealContext(child, id);
        for (const fn of routeFns) await fn(child);
      },
      { prefix: `/api/${id}` },
    );
  }
}
