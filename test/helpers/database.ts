/**
 * A fresh database for one test file: PGlite in memory by default, or a new database on the
 * PostgreSQL server named by DATABASE_URL (dropped again afterwards).
 *
 * `migrated: true` (used by createTestApp) starts PGlite from a dump of a database on which the
 * kernel's and built-in plugins' migrations already ran (core/db/pglite-template.ts; the file
 * `npm run build` made, or one made now). On a PostgreSQL server the same holds with a template
 * database.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../core/db/connect.ts';
import { readTemplate, templateKey } from '../../core/db/pglite-template.ts';
import { ensureBuiltTemplate, migrateBuiltIns } from '../../core/db/build-template.ts';

export interface TestDatabase extends Database {
  url?: string;
}

let template: Promise<Blob> | undefined;

/**
 * Built-in plugins only, like the template `npm run build` makes: the same file serves both. Read
 * once per test file (a Blob is immutable; the file is ~40 MB and a file opens many databases).
 */
function migratedTemplate(): Promise<Blob> {
  return (template ??= ensureBuiltTemplate().then((file) => readTemplate(file)!));
}

/**
 * On a PostgreSQL server the migrated template is a database of its own (`parley_tpl_<hash>`),
 * made once under an advisory lock; test databases are copied from it by CREATE DATABASE.
 */
async function serverTemplate(serverUrl: string): Promise<string> {
  const name = `parley_tpl_${templateKey()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock(hashtext($1))', [name]);
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) {
      const building = `${name}_build`;
      await admin.query(`drop database if exists ${building} with (force)`);
      await admin.query(`create database ${building}`);
      const url = new URL(serverUrl);
      url.pathname = `/${building}`;
      const db = await openDatabase({ url: url.toString() });
      try {
        await migrateBuiltIns(db);
      } finally {
        await db.close();
      }
      await admin.query(`alter database ${building} rename to ${name}`);
    }
    return name;
  } finally {
    await admin.end();
  }
}

export async function freshDatabase(opts: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return openDatabase(opts.migrated ? { template: await migratedTemplate() } : {});
  const template = opts.migrated ? await serverTemplate(serverUrl) : undefined;
  const name = `parley_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
      break;
    } catch (err) {
      // Copying a template fails while another session is connected to it (55006); that is brief.
      if ((err as { code?: string }).code !== '55006' || attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
    }
  }
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString() });
  return {
    ...db,
    url: url.toString(),
    async close() {
      await db.close();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export const dbKind = () => (process.env.DATABASE_URL ? 'postgres' : 'pglite');
