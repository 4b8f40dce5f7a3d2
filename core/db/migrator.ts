/**
 * Migrations with one ledger per owner (the kernel, then each plugin), so removing a plugin never
 * disturbs another's history. A migration file exports `up(knex)` and `down(knex)`; each runs in
 * its own transaction together with its ledger row.
 *
 * The migrator also records which ledger created each table (`schema_tables`): it compares the
 * schema before and after every migration and hands the difference to an optional check, which can
 * refuse it (the plugin host's table rule). A refused migration rolls back with its ledger row.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { importModule } from '../module-loader.ts';

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

export interface ForeignKey {
  name: string;
  table: string;
  references: string;
}

/** What one migration did to the schema. */
export interface SchemaChange {
  ledger: string;
  migration: string;
  direction: 'up' | 'down';
  createdTables: string[];
  droppedTables: string[];
  /** Tables that existed before and after but gained or lost columns. */
  alteredTables: string[];
  addedForeignKeys: ForeignKey[];
}

/** Throws to refuse a change. `owners` maps each table that existed before to its ledger. */
export type SchemaCheck = (change: SchemaChange, owners: ReadonlyMap<string, string>) => void;

export interface MigrateOptions {
  check?: SchemaCheck;
}

const LEDGER_TABLE = 'schema_migrations';
const OWNER_TABLE = 'schema_tables';
/** Serialises migrations of several Parley processes starting at once on one database. */
const LOCK_KEY = 0x7061726c; // "parl"

async function ensureLedgerTables(trx: Knex.Transaction): Promise<void> {
  await trx.raw(`create table if not exists ${LEDGER_TABLE} (
    ledger text not null,
    name text not null,
    applied_at timestamptz not null default now(),
    primary key (ledger, name))`);
  if (await trx.schema.hasTable(OWNER_TABLE)) return;
  await trx.raw(`create table ${OWNER_TABLE} (table_name text primary key, ledger text not null)`);
  await backfillOwners(trx);
}

/**
 * A database migrated before table ownership was recorded: attribute each existing table to the
 * plugin ledger whose prefix it carries, else to the kernel.
 */
async function backfillOwners(trx: Knex.Transaction): Promise<void> {
  const tables = [...(await snapshot(trx)).tables];
  if (tables.length === 0) return;
  const ledgers: string[] = (await trx(LEDGER_TABLE).distinct('ledger')).map((r: { ledger: string }) => r.ledger).filter((l: string) => l !== 'core');
  const prefixes = ledgers.map((l) => ({ ledger: l, prefix: `${l.replace(/-/g, '_')}_` })).sort((a, b) => b.prefix.length - a.prefix.length);
  const rows = tables.map((t) => ({ table_name: t, ledger: prefixes.find((p) => t.startsWith(p.prefix))?.ledger ?? 'core' }));
  await trx(OWNER_TABLE).insert(rows);
}

/** Creates the ledger tables if missing; a plain read first, so a start with nothing to migrate takes no lock and runs no DDL. */
async function ledgerTablesReady(knex: Knex): Promise<void> {
  const { rows } = await knex.raw(`select to_regclass(?) is not null and to_regclass(?) is not null as ready`, [LEDGER_TABLE, OWNER_TABLE]);
  if (!rows[0]?.ready) await locked(knex, ensureLedgerTables);
}

async function locked<T>(knex: Knex, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [LOCK_KEY]);
    return fn(trx);
  });
}

interface Snapshot {
  tables: Set<string>;
  columns: Map<string, string>;
  foreignKeys: Map<string, ForeignKey>;
}

async function snapshot(trx: Knex.Transaction): Promise<Snapshot> {
  const own = [LEDGER_TABLE, OWNER_TABLE];
  const tableRows = await trx.raw(`select c.relname as name from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'p', 'v', 'm', 'f')`);
  const columnRows = await trx.raw(`select table_name, string_agg(column_name, ',' order by column_name) as columns
    from information_schema.columns where table_schema = current_schema() group by table_name`);
  const fkRows = await trx.raw(`select con.conname as name, src.relname as "table", dst.relname as "references"
    from pg_constraint con
    join pg_class src on src.oid = con.conrelid
    join pg_class dst on dst.oid = con.confrelid
    join pg_namespace n on n.oid = con.connamespace
    where con.contype = 'f' and n.nspname = current_schema()`);
  const tables = new Set<string>((tableRows.rows as Array<{ name: string }>).map((r) => r.name).filter((t) => !own.includes(t)));
  const columns = new Map<string, string>((columnRows.rows as Array<{ table_name: string; columns: string }>).map((r) => [r.table_name, r.columns]));
  const foreignKeys = new Map<string, ForeignKey>((fkRows.rows as ForeignKey[]).map((fk) => [`${fk.table}/${fk.name}`, fk]));
  return { tables, columns, foreignKeys };
}

function difference(before: Snapshot, after: Snapshot, ledger: string, migration: string, direction: 'up' | 'down'): SchemaChange {
  return {
    ledger,
    migration,
    direction,
    createdTables: [...after.tables].filter((t) => !before.tables.has(t)).sort(),
    droppedTables: [...before.tables].filter((t) => !after.tables.has(t)).sort(),
    alteredTables: [...after.tables].filter((t) => before.tables.has(t) && before.columns.get(t) !== after.columns.get(t)).sort(),
    addedForeignKeys: [...after.foreignKeys].filter(([key]) => !before.foreignKeys.has(key)).map(([, fk]) => fk),
  };
}

async function ownerMap(trx: Knex | Knex.Transaction): Promise<Map<string, string>> {
  const rows: Array<{ table_name: string; ledger: string }> = await trx(OWNER_TABLE).select('table_name', 'ledger');
  return new Map(rows.map((r) => [r.table_name, r.ledger]));
}

/** Runs one migration step with its ledger row, recording and checking what it changed. */
async function step(trx: Knex.Transaction, ledger: Ledger, file: string, direction: 'up' | 'down', options: MigrateOptions): Promise<void> {
  const mod = await load(ledger.directory, file);
  const owners = await ownerMap(trx);
  const before = await snapshot(trx);
  await mod[direction](trx);
  const change = difference(before, await snapshot(trx), ledger.name, file, direction);
  options.check?.(change, owners);
  if (change.droppedTables.length) await trx(OWNER_TABLE).whereIn('table_name', change.droppedTables).delete();
  if (change.createdTables.length) await trx(OWNER_TABLE).insert(change.createdTables.map((t) => ({ table_name: t, ledger: ledger.name })));
  if (direction === 'up') await trx(LEDGER_TABLE).insert({ ledger: ledger.name, name: file });
  else await trx(LEDGER_TABLE).where({ ledger: ledger.name, name: file }).delete();
}

function migrationFiles(directory: string): string[] {
  if (!fs.existsSync(directory)) return [];
  return fs
    .readdirSync(directory)
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
}

async function load(directory: string, file: string): Promise<MigrationModule> {
  const mod = (await importModule(path.join(directory, file))) as Partial<MigrationModule>;
  if (typeof mod.up !== 'function' || typeof mod.down !== 'function') {
    throw new Error(`migration ${path.join(directory, file)} must export up() and down()`);
  }
  return mod as MigrationModule;
}

async function appliedNames(knex: Knex | Knex.Transaction, ledger: string): Promise<string[]> {
  const rows: Array<{ name: string }> = await knex(LEDGER_TABLE).where({ ledger }).orderBy('name').select('name');
  return rows.map((r) => r.name);
}

export async function status(knex: Knex, ledger: Ledger): Promise<MigrationStatus> {
  await ledgerTablesReady(knex);
  const applied = await appliedNames(knex, ledger.name);
  const pending = migrationFiles(ledger.directory).filter((f) => !applied.includes(f));
  return { ledger: ledger.name, applied, pending };
}

/** Applies pending migrations in name order; returns the names applied. */
export async function up(knex: Knex, ledger: Ledger, options: MigrateOptions = {}): Promise<string[]> {
  const { pending } = await status(knex, ledger);
  const done: string[] = [];
  for (const file of pending) {
    const ran = await locked(knex, async (trx) => {
      // Another process may have applied it while this one waited for the lock.
      if ((await appliedNames(trx, ledger.name)).includes(file)) return false;
      await step(trx, ledger, file, 'up', options);
      return true;
    });
    if (ran) done.push(file);
  }
  return done;
}

/** Reverts the last `steps` applied migrations of a ledger; returns the names reverted. */
export async function down(knex: Knex, ledger: Ledger, steps = 1, options: MigrateOptions = {}): Promise<string[]> {
  const { applied } = await status(knex, ledger);
  const done: string[] = [];
  for (const file of applied.slice(-steps).reverse()) {
    const ran = await locked(knex, async (trx) => {
      if (!(await appliedNames(trx, ledger.name)).includes(file)) return false;
      await step(trx, ledger, file, 'down', options);
      return true;
    });
    if (ran) done.push(file);
  }
  return done;
}

/** Which ledger created each table. */
export async function tableOwners(knex: Knex): Promise<Map<string, string>> {
  await ledgerTablesReady(knex);
  return ownerMap(knex);
}
