/**
 * Opens the database: a PostgreSQL server when a URL is given, otherwise PGlite
 * (PostgreSQL compiled to WASM) in a data folder, or in memory for tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import ClientPGLite from 'knex-pglite';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Config } from '../../config/index.ts';

// Counts and sums come back as bigint/numeric; parse them as JS numbers on both drivers.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

// V8 moves hot WebAssembly functions to its optimising compiler after a budget of work. At the
// default budget that happens while PGlite starts, and the main thread then waited ~0.4 s for
// those compiles on 2 cores. A larger budget (read when PGlite's module is instantiated) defers it
// past start-up; hot functions still move up once the server runs.
v8.setFlagsFromString('--wasm-tiering-budget=1000000000');

export interface DatabaseTarget {
  /** postgres:// URL of a server; when absent PGlite is used. */
  url?: string;
  /** PGlite: start from this dump (`dumpDataDir()`) instead of an empty cluster, e.g. a migrated template in tests. */
  template?: Blob;
  /** PGlite data folder; absent means in memory. */
  dataDir?: string;
  pool?: { min: number; max: number };
}

export interface Database {
  knex: Knex;
  kind: 'postgres' | 'pglite';
  /** Connections the pool opens at most (PGlite: one). Work that holds connections sizes itself by it. */
  connections: number;
  /** The PGlite instance, when the database is PGlite. */
  pglite?: PGlite;
  close(): Promise<void>;
}

/** The configured database: the server at DATABASE_URL, else PGlite in the data folder. */
export function databaseTarget(config: Pick<Config, 'databaseUrl' | 'dataDir'>): DatabaseTarget {
  return config.databaseUrl ? { url: config.databaseUrl } : { dataDir: path.join(config.dataDir, 'pglite') };
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.url) {
    const pool = target.pool ?? { min: 0, max: 10 };
    const knex = knexFactory({ client: 'pg', connection: target.url, pool });
    await knex.raw('select 1');
    return { knex, kind: 'postgres', connections: pool.max, close: () => knex.destroy() };
  }
  if (target.dataDir) fs.mkdirSync(target.dataDir, { recursive: true });
  const pglite = new PGlite({
    dataDir: target.dataDir,
    loadDataDir: target.template,
    // The extensions the kernel's migrations create, so both databases offer the same SQL (docs/plugins.md).
    extensions: { pg_trgm },
    parsers: { 20: (v: string) => Number(v), 1700: (v: string) => Number(v) },
  });
  await pglite.waitReady;
  const knex = knexFactory({ client: ClientPGLite as unknown as typeof knexFactory.Client, connection: () => ({ pglite }) } as Knex.Config);
  return {
    knex,
    kind: 'pglite',
    connections: 1,
    pglite,
    async close() {
      await knex.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}
