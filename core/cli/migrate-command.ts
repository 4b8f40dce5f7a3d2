/** `parley migrate status|up|down`: the per-owner migration ledgers. */
import { CORE_LEDGER } from '../app.ts';
import { migratePlugin, revertPlugin } from '../plugin-host/plugin-host.ts';
import * as migrator from '../db/migrator.ts';
import { optionalPositiveInt, optionalString } from './args.ts';
import type { Command } from './command.ts';
import { checkDown, checkUp, findLedger, ledgerStates, type LedgerState } from './migration-plan.ts';
import { table } from './output.ts';
import { CliError } from './kernel.ts';

const PLUGIN = { plugin: { type: 'string' } } as const;

function stateJson(s: LedgerState) {
  return { ledger: s.name, installed: s.installed, applied: s.applied, pending: s.pending };
}

const status: Command = {
  group: 'migrate',
  name: 'status',
  usage: 'migrate status [--plugin id] [--json]',
  summary: 'Applied and pending migrations per ledger (core, then plugins in dependency order)',
  positionals: [],
  options: PLUGIN,
  anySchema: true,
  async run(p, k) {
    let states = await ledgerStates(k.db.knex, k.plugins);
    const only = optionalString(p, 'plugin');
    if (only !== undefined) states = [findLedger(states, only)];
    return {
      json: states.map(stateJson),
      lines: table(
        ['LEDGER', 'APPLIED', 'PENDING', 'LAST APPLIED'],
        states.map((s) => [s.installed ? s.name : `${s.name} (not installed)`, s.applied.length, s.pending.length, s.applied.at(-1) ?? '-']),
      ),
    };
  },
};

const up: Command = {
  group: 'migrate',
  name: 'up',
  usage: 'migrate up [--plugin id]',
  summary: 'Apply pending migrations as the server does at start: core, then plugins in dependency order (or one ledger)',
  positionals: [],
  options: PLUGIN,
  anySchema: true,
  async run(p, k) {
    const knex = k.db.knex;
    const states = await ledgerStates(knex, k.plugins);
    const only = optionalString(p, 'plugin');
    let targets = states.filter((s) => s.installed);
    if (only !== undefined) {
      const target = findLedger(states, only);
      checkUp(states, target);
      targets = [target];
    }
    const applied: Array<{ ledger: string; migration: string }> = [];
    for (const t of targets) {
      let names: string[];
      try {
        // The server's own code paths, so plugin migrations run under the same table rule.
        names = t.name === CORE_LEDGER.name ? await migrator.up(knex, CORE_LEDGER) : await migratePlugin(knex, k.pluginState.descriptor(t.name));
      } catch (err) {
        // Each migration commits on its own: the ones before the failure stay applied.
        throw new CliError(`a migration of ${t.name} failed: ${(err as Error).message} (see "parley migrate status" for what was applied)`);
      }
      applied.push(...names.map((migration) => ({ ledger: t.name, migration })));
    }
    return {
      json: applied,
      lines: applied.length ? applied.map((a) => `${a.ledger}: applied ${a.migration}`) : ['Nothing to apply: the migrations are up to date.'],
    };
  },
};

const down: Command = {
  group: 'migrate',
  name: 'down',
  usage: 'migrate down [--plugin id] [--steps n]',
  summary: 'Revert the last migration (or n) of one ledger: core by default, a plugin\'s with --plugin',
  positionals: [],
  options: { ...PLUGIN, steps: { type: 'string' } },
  anySchema: true,
  async run(p, k) {
    const steps = optionalPositiveInt(p, 'steps') ?? 1;
    const states = await ledgerStates(k.db.knex, k.plugins);
    const target = findLedger(states, optionalString(p, 'plugin') ?? CORE_LEDGER.name);
    checkDown(states, target);
    const reverted =
      target.name === CORE_LEDGER.name
        ? await migrator.down(k.db.knex, CORE_LEDGER, steps)
        : await revertPlugin(k.db.knex, k.pluginState.descriptor(target.name), steps);
    return {
      json: reverted.map((migration) => ({ ledger: target.name, migration })),
      lines: reverted.length ? reverted.map((m) => `${target.name}: reverted ${m}`) : [`Nothing to revert: ${target.name} has no applied migrations.`],
    };
  },
};

export const migrateCommands: Command[] = [status, up, down];
