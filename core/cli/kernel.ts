/**
 * The kernel services the CLI works with, on the server's own configuration and database. Plugin
 * server code is not loaded: the CLI changes state through the services, it does not run plugins.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { Config } from '../../config/index.ts';
import { CORE_LEDGER, loadPluginDescriptors } from '../app.ts';
import { databaseTarget, openDatabase, type Database } from '../db/connect.ts';
import * as migrator from '../db/migrator.ts';
import { TenantService } from '../tenants/tenant-service.ts';
import { MemberService } from '../members/member-service.ts';
import { RoleService } from '../permissions/role-service.ts';
import { PermissionRegistry } from '../permissions/tree.ts';
import { KERNEL_PERMISSIONS } from '../permissions/kernel-nodes.ts';
import { HookBus, KERNEL_OWNER } from '../hooks/hook-bus.ts';
import { PluginStateService } from '../plugin-host/plugin-state.ts';
import type { PluginDescriptor } from '../plugin-host/manifest.ts';

/** A failure the CLI itself detects (exit code 1). */
export class CliError extends Error {}

export interface CliKernel {
  config: Config;
  db: Database;
  plugins: PluginDescriptor[];
  tenants: TenantService;
  members: MemberService;
  pluginState: PluginStateService;
  /** Plugins that turned on or off for a tenant during this run, as the plugin state reports them. */
  switched: PluginSwitch[];
  close(): Promise<void>;
}

export interface PluginSwitch {
  tenantId: string;
  pluginId: string;
  enabled: boolean;
}

/**
 * PGlite serves a single process and takes no lock of its own; while open it keeps a
 * `postmaster.pid` in its folder and removes it on close. Opening the folder twice corrupts it.
 */
function refuseBusyPglite(dataDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    throw new CliError(
      `the PGlite database in ${dataDir} is in use by another process (is the Parley server running? stop it first; ` +
        `if nothing is running, a crashed process left ${pidFile} behind: delete that file)`,
    );
  }
}

export async function openKernel(config: Config): Promise<CliKernel> {
  const plugins = loadPluginDescriptors(config);
  const target = databaseTarget(config);
  if (target.dataDir) refuseBusyPglite(target.dataDir);
  let db: Database;
  try {
    db = await openDatabase(target);
  } catch (err) {
    throw new CliError(`cannot open the database: ${(err as Error).message}`);
  }
  const log = pino({ level: 'warn' }, pino.destination(2));
  const permissions = new PermissionRegistry();
  permissions.declare(KERNEL_OWNER, KERNEL_PERMISSIONS);
  const tenants = new TenantService(db.knex);
  const pluginState = new PluginStateService(db.knex, tenants, plugins);
  const switched: PluginSwitch[] = [];
  pluginState.onChange((tenantId, pluginId, enabled) => switched.push({ tenantId, pluginId, enabled }));
  const hooks = new HookBus((tenantId) => pluginState.enabledSet(tenantId), log);
  const members = new MemberService(db.knex, new RoleService(db.knex, permissions), hooks);
  return { config, db, plugins, tenants, members, pluginState, switched, close: () => db.close() };
}

/** Tenant, member and plugin commands need the kernel's tables as this version defines them. */
export async function requireCurrentSchema(kernel: CliKernel): Promise<void> {
  const { pending } = await migrator.status(kernel.db.knex, CORE_LEDGER);
  if (pending.length > 0) {
    throw new CliError(`the database schema is not up to date (${pending.length} core migration(s) pending); run "parley migrate up" first`);
  }
}
