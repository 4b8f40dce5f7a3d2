/**
 * The plugin host: runs each plugin's migrations on its own ledger (after the kernel's, in
 * dependency order), declares its permission nodes, and calls its server entry with a context whose
 * routes, socket events and hooks are all bound to the plugin and gated per tenant.
 */
import path from 'node:path';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import type { PluginDescriptor } from './manifest.ts';
import type { KernelServices, PluginContext, PluginEntry } from './context.ts';
import type { AwilixContainer } from 'awilix';
import * as migrator from '../db/migrator.ts';

export function ledgerOf(p: PluginDescriptor): migrator.Ledger {
  return { name: p.manifest.id, directory: path.join(p.dir, p.manifest.migrations ?? 'migrations') };
}

export async function migratePlugins(knex: Knex, plugins: PluginDescriptor[]): Promise<void> {
  for (const p of plugins) await migrator.up(knex, ledgerOf(p));
}

export function declarePermissions(kernel: KernelServices, plugins: PluginDescriptor[]): void {
  for (const p of plugins) {
    for (const group of p.manifest.permissions ?? []) {
      const parent = group.parent ?? null;
      if (parent) {
        const owner = kernel.permissions.get(parent)?.owner;
        const allowed = owner === 'core' || owner === p.manifest.id || (p.manifest.dependencies ?? []).includes(owner ?? '');
        if (!allowed) throw new Error(`plugin ${p.manifest.id} puts permissions under "${parent}", which belongs to neither the kernel nor a dependency`);
      }
      kernel.permissions.declare(p.manifest.id, group.nodes as never, parent);
    }
  }
}

async function loadEntry(p: PluginDescriptor): Promise<PluginEntry | null> {
  const file = path.join(p.dir, p.manifest.server ?? 'server.ts');
  if (!fs.existsSync(file)) {
    if (p.manifest.server) throw new Error(`plugin ${p.manifest.id}: server entry ${file} does not exist`);
    return null;
  }
  const mod = (await import(pathToFileURL(file).href)) as { default?: PluginEntry };
  if (typeof mod.default !== 'function') throw new Error(`plugin ${p.manifest.id}: ${file} must export a default function (definePlugin)`);
  return mod.default;
}

export async function registerPlugins(app: FastifyInstance, kernel: KernelServices, container: AwilixContainer, plugins: PluginDescriptor[]): Promise<void> {
  const exposed = new Map<string, object>();
  for (const p of plugins) {
    const id = p.manifest.id;
    const entry = await loadEntry(p);
    if (!entry) continue;
    const routeFns: Array<(app: FastifyInstance) => void | Promise<void>> = [];
    const ctx: PluginContext = {
      id,
      manifest: p.manifest,
      dir: p.dir,
      log: kernel.log.child({ plugin: id }),
      knex: kernel.knex,
      config: kernel.config,
      container: container.createScope(),
      tenants: kernel.tenants,
      members: kernel.members,
      roles: kernel.roles,
      auth: kernel.auth,
      routes: (fn) => routeFns.push(fn),
      hooks: {
        onAction: (name, handler) => kernel.hooks.onAction(id, name, handler),
        addFilter: (name, handler, priority) => kernel.hooks.addFilter(id, name, handler, priority),
        action: (name, hctx, payload) => kernel.hooks.action(name, hctx, payload),
        filter: (name, hctx, value) => kernel.hooks.filter(name, hctx, value),
      },
      realtime: {
        on: (ns, event, options, handler) => kernel.realtime.on(id, ns, event, options, handler),
        onConnection: (ns, fn) => kernel.realtime.onConnection(id, ns, fn),
        emit: (ns, rooms, event, data) => kernel.realtime.emit(ns, rooms, event, data),
        join: (ns, selector, room) => kernel.realtime.join(ns, selector, room),
        leave: (ns, selector, room) => kernel.realtime.leave(ns, selector, room),
      },
      files: {
        save: (input, trx) => kernel.files.save(id, input, trx),
        get: (tenantId, fileId) => kernel.files.get(tenantId, fileId),
        meta: (tenantId, fileId) => kernel.files.meta(tenantId, fileId),
        send: (reply, tenantId, fileId, opts) => kernel.files.send(reply, tenantId, fileId, opts),
      },
      recordEvent: (trx, tenantId, type, payload) => kernel.outbox.record(trx, tenantId, id, type, payload),
      isEnabled: (tenantId) => kernel.pluginState.isEnabled(tenantId, id),
      settings: (tenantId) => kernel.pluginState.getSettings(tenantId, id),
      expose: (api) => {
        exposed.set(id, api);
      },
      dependency: <T extends object>(depId: string): T => {
        if (!(p.manifest.dependencies ?? []).includes(depId)) throw new Error(`plugin ${id} must declare "${depId}" as a dependency to use it`);
        const api = exposed.get(depId);
        if (!api) throw new Error(`plugin ${depId} exposes no API`);
        return api as T;
      },
    };
    await entry(ctx);
    await app.register(
      async (child) => {
        child.addHook('onRoute', (route) => {
          route.config = { ...(route.config ?? {}), pluginId: id };
          if (route.config.permission === '@public' && !route.url.includes(':tenant')) {
            throw new Error(`plugin ${id}: public route ${route.url} must name its tenant with a :tenant path parameter`);
          }
        });
        for (const fn of routeFns) await fn(child);
      },
      { prefix: `/api/${id}` },
    );
  }
}
