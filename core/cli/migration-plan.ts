/**
 * Which migration ledgers exist and what may safely be reverted. Plugin tables may reference the
 * kernel's tables and those of their dependencies, so a ledger is reverted only once every ledger
 * that can depend on it has nothing applied.
 */
import type { Knex } from 'knex';
import { CORE_LEDGER } from '../app.ts';
import * as migrator from '../db/migrator.ts';
import { ledgerOf } from '../plugin-host/plugin-host.ts';
import type { PluginDescriptor } from '../plugin-host/manifest.ts';
import { CliError } from './kernel.ts';

export interface LedgerState {
  name: string;
  /** False for a ledger left in the database by a plugin that is no longer installed. */
  installed: boolean;
  /** Plugin ids this ledger's owner depends on, directly or not (empty for core). */
  dependsOn: string[];
  applied: string[];
  pending: string[];
}

function transitiveDependencies(plugin: PluginDescriptor, byId: Map<string, PluginDescriptor>): string[] {
  const found = new Set<string>();
  const walk = (p: PluginDescriptor) => {
    for (const dep of p.manifest.dependencies ?? []) {
      if (found.has(dep)) continue;
      found.add(dep);
      const target = byId.get(dep);
      if (target) walk(target);
    }
  };
  walk(plugin);
  return [...found];
}

/** Core, then installed plugins in dependency order, then ledgers of plugins no longer installed. */
export async function ledgerStates(knex: Knex, plugins: PluginDescriptor[]): Promise<LedgerState[]> {
  const byId = new Map(plugins.map((p) => [p.manifest.id, p]));
  const states: LedgerState[] = [];
  const core = await migrator.status(knex, CORE_LEDGER);
  states.push({ name: CORE_LEDGER.name, installed: true, dependsOn: [], applied: core.applied, pending: core.pending });
  for (const p of plugins) {
    const ledger = ledgerOf(p);
    const s = await migrator.status(knex, ledger);
    states.push({ name: ledger.name, installed: true, dependsOn: transitiveDependencies(p, byId), applied: s.applied, pending: s.pending });
  }
  // The migrator keeps its ledger in `schema_migrations`; status() above has made sure it exists.
  const recorded: Array<{ ledger: string }> = await knex('schema_migrations').distinct('ledger').orderBy('ledger');
  for (const { ledger: name } of recorded) {
    if (states.some((s) => s.name === name)) continue;
    const s = await migrator.status(knex, { name, directory: '' });
    states.push({ name, installed: false, dependsOn: [], applied: s.applied, pending: [] });
  }
  return states;
}

export function findLedger(states: LedgerState[], name: string): LedgerState {
  const state = states.find((s) => s.name === name);
  if (!state) throw new CliError(`no plugin "${name}" is installed and the database has no migrations of that name`);
  return state;
}

/** Refuses to migrate a plugin up before the kernel and its dependencies are fully migrated. */
export function checkUp(states: LedgerState[], target: LedgerState): void {
  if (!target.installed) throw new CliError(`plugin "${target.name}" is not installed; its migrations cannot be run`);
  const behind = states.filter((s) => (s.name === CORE_LEDGER.name || target.dependsOn.includes(s.name)) && s !== target && s.pending.length > 0);
  if (behind.length > 0) {
    const names = behind.map((s) => s.name).join(', ');
    throw new CliError(`"${target.name}" needs ${names} migrated first; run "parley migrate up" to migrate everything in order`);
  }
}

/** Refuses to revert a ledger while a ledger that may reference its tables still has migrations applied. */
export function checkDown(states: LedgerState[], target: LedgerState): void {
  if (!target.installed) {
    throw new CliError(`plugin "${target.name}" is not installed; its migrations cannot be reverted without its files (install it again first)`);
  }
  const isCore = target.name === CORE_LEDGER.name;
  const blockers = states.filter((s) => s !== target && s.applied.length > 0 && (isCore || s.dependsOn.includes(target.name)));
  if (blockers.length === 0) return;
  const names = blockers.map((s) => s.name).join(', ');
  throw new CliError(
    isCore
      ? `cannot revert core migrations while plugin migrations are applied (${names}); revert those first with "parley migrate down --plugin <id>"`
      : `cannot revert "${target.name}" while plugins that depend on it have migrations applied (${names}); revert those first`,
  );
}
