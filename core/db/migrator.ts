/**
 * Migrations with one ledger per owner (the kernel, then each plugin), so removing a plugin never
 * disturbs another's history. A migration file exports `up(knex)` and `down(knex)`; each runs in
 * its own transaction together with its ledger row.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

export interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export interface Ledger {
  /** `core` or a plugin id. */
  name: string;
  directory: string;
}

export interface MigrationStatus {
  ledger: string;
  applied: string[];
  pending: string[];
}

const LEDGER_TABLE = 'schema_migrations';

async function ensureLedgerTable(knex: Knex) {
  await knex.raw(`create table if not exists ${LEDGER_TABLE} (
    ledger text not null,
    name text not null,
    applied_at timestamptz not null default now(),
    primary key (ledger, name))`);
}

function migrationFiles(directory: string): string[] {
  if (!fs.existsSync(directory)) return [];
  return fs
    .readdirSync(directory)
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
}

async function load(directory: string, file: string): Promise<MigrationModule> {
  const mod = (await import(pathToFileURL(path.join(directory, file)).href)) as Partial<MigrationModule>;
  if (typeof mod.up !== 'function' || typeof mod.down !== 'function') {
    throw new Error(`migration ${file} must export up() and down()`);
  }
  return mod as MigrationModule;
}

export async function status(knex: Knex, ledger: Ledger): Promise<MigrationStatus> {
  await ensureLedgerTable(knex);
  const rows: Array<{ name: string }> = await knex(LEDGER_TABLE).where({ ledger: ledger.name }).orderBy('name').select('name');
  const applied = rows.map((r) => r.name);
  const pending = migrationFiles(ledger.directory).filter((f) => !applied.includes(f));
  return { ledger: ledger.name, applied, pending };
}

/** Applies pending migrations in name order; returns the names applied. */
export async function up(knex: Knex, ledger: Ledger): Promise<string[]> {
  const { pending } = await status(knex, ledger);
  for (const file of pending) {
    const mod = await load(ledger.directory, file);
    await knex.transaction(async (trx) => {
      await mod.up(trx);
      await trx(LEDGER_TABLE).insert({ ledger: ledger.name, name: file });
    });
  }
  return pending;
}

/** Reverts the last `steps` applied migrations of a ledger; returns the names reverted. */
export async function down(knex: Knex, ledger: Ledger, steps = 1): Promise<string[]> {
  const { applied } = await status(knex, ledger);
  const toRevert = applied.slice(-steps).reverse();
  for (const file of toRevert) {
    const mod = await load(ledger.directory, file);
    await knex.transaction(async (trx) => {
      await mod.down(trx);
      await trx(LEDGER_TABLE).where({ ledger: ledger.name, name: file }).delete();
    });
  }
  return toRevert;
}
