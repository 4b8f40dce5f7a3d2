/**
 * A fresh database for one test file: PGlite in memory by default, or a new database on the
 * PostgreSQL server named by DATABASE_URL (dropped again afterwards).
 *
 * `migrated: true` (used by createTestApp) starts PGlite from a dump of a database on which the
 * kernel's and built-in plugins' migrations already ran. Building PGlite and migrating costs
 * most of a test file's start-up, so the dump is made once per set of migration files (under a
 * lock shared by the parallel test processes) and kept in the temp folder. On a PostgreSQL server
 * the same holds with a template database.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../core/db/connect.ts';
import { ROOT_DIR, loadPluginDescriptors, migrateAll } from '../../core/app.ts';
import { loadConfig } from '../../config/index.ts';

export interface TestDatabase extends Database {
  url?: string;
}

function migrationFiles(): string[] {
  const dirs = [path.join(ROOT_DIR, 'migrations')];
  for (const p of fs.readdirSync(path.join(ROOT_DIR, 'plugins'))) dirs.push(path.join(ROOT_DIR, 'plugins', p, 'migrations'), path.join(ROOT_DIR, 'plugins', p, 'plugin.json'));
  return dirs.flatMap((d) => (fs.statSync(d, { throwIfNoEntry: false })?.isDirectory() ? fs.readdirSync(d).map((f) => path.join(d, f)) : fs.existsSync(d) ? [d] : [])).sort();
}

function templatePath(): string {
  const hash = crypto.createHash('sha256');
  for (const f of [...migrationFiles(), path.join(ROOT_DIR, 'core/db/migrator.ts'), path.join(ROOT_DIR, 'node_modules/@electric-sql/pglite/package.json')]) {
    hash.update(f).update(fs.readFileSync(f));
  }
  return path.join(os.tmpdir(), `parley-pglite-template-${hash.digest('hex').slice(0, 16)}.tar`);
}

async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 10 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

async function migratedTemplate(): Promise<Blob> {
  const file = templatePath();
  if (!fs.existsSync(file)) {
    await withLock(`${file}.lock`, async () => {
      if (fs.existsSync(file)) return;
      const db = await openDatabase({});
      try {
        await migrateAll(db, loadPluginDescriptors(loadConfig({}, { pluginPaths: [] })));
        const dump = await db.pglite!.dumpDataDir('none');
        const tmp = `${file}.${process.pid}`;
        fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
        fs.renameSync(tmp, file);
      } finally {
        await db.close();
      }
    });
  }
  return new Blob([fs.readFileSync(file)]);
}

/**
 * On a PostgreSQL server the migrated template is a database of its own (`parley_tpl_<hash>`),
 * made once under an advisory lock; test databases are copied from it by CREATE DATABASE.
 */
async function serverTemplate(serverUrl: string): Promise<string> {
  const name = `parley_tpl_${path.basename(templatePath(), '.tar').slice(-16)}`;
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
        await migrateAll(db, loadPluginDescriptors(loadConfig({}, { pluginPaths: [] })));
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
