/**
 * A migrated PGlite cluster, dumped to a tar file: a new database started from it skips initdb and
 * the migrations, which were most of a first `npm start` (~4.5 of 9 s) and of every test file's
 * start. One file per set of migrations (the kernel's and the built-in plugins'), migrator and
 * PGlite version, made under a lock that parallel processes share. Third-party plugins' migrations
 * are not in it; they run after the load as usual.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { withFolderLock } from '../folder-lock.ts';
import { ROOT_DIR } from '../module-loader.ts';
import { discoverPlugins } from '../plugin-host/discover.ts';
import { migrationsDir } from '../plugin-host/manifest.ts';
import { openDatabase, type Database, type DatabaseTarget } from './connect.ts';

/** Where `npm run build` leaves the template that a first start copies (core/db/build-template.ts). */
export const BUILT_TEMPLATE_DIR = path.join(ROOT_DIR, 'dist', 'pglite');

/** The files whose content decides what the template holds. */
function templateInputs(): string[] {
  const files = [path.join(ROOT_DIR, 'core/db/migrator.ts'), path.join(ROOT_DIR, 'node_modules/@electric-sql/pglite/package.json')];
  const folders = [path.join(ROOT_DIR, 'migrations')];
  for (const plugin of discoverPlugins(path.join(ROOT_DIR, 'plugins'), [])) {
    files.push(path.join(plugin.dir, 'plugin.json'));
    folders.push(migrationsDir(plugin));
  }
  for (const folder of folders) {
    if (fs.existsSync(folder)) files.push(...fs.readdirSync(folder).sort().map((f) => path.join(folder, f)));
  }
  return files;
}

let key: string | undefined;

/**
 * A short hash of the template's inputs: the template's name, and the tests' PostgreSQL template
 * database's. Read once per process: migrations do not change under a running process, and a
 * test file opens many databases.
 */
export function templateKey(): string {
  if (key) return key;
  const hash = crypto.createHash('sha256');
  for (const file of templateInputs()) hash.update(path.relative(ROOT_DIR, file)).update(fs.readFileSync(file));
  return (key = hash.digest('hex').slice(0, 16));
}

export function templateFile(folder: string): string {
  return path.join(folder, `pglite-template-${templateKey()}.tar`);
}

/** The template as PGlite's `loadDataDir` takes it, or undefined when it has not been made. */
export function readTemplate(file: string): Blob | undefined {
  return fs.existsSync(file) ? new Blob([fs.readFileSync(file)]) : undefined;
}

/** A PGlite folder that holds no cluster yet starts from the built template, when there is one for these migrations. */
export function withFirstStartTemplate(target: DatabaseTarget): DatabaseTarget {
  if (!target.dataDir || target.template || fs.existsSync(path.join(target.dataDir, 'PG_VERSION'))) return target;
  const template = readTemplate(templateFile(BUILT_TEMPLATE_DIR));
  return template ? { ...target, template } : target;
}

/** Makes the template file unless it exists: an in-memory PGlite, `migrate`, then a dump. */
export async function ensureTemplate(file: string, migrate: (db: Database) => Promise<void>): Promise<void> {
  if (fs.existsSync(file)) return;
  // Making it takes seconds; a holder silent for ten minutes has died.
  await withFolderLock(`${file}.lock`, { waitMs: 10 * 60_000, staleMs: 10 * 60_000 }, async () => {
    if (fs.existsSync(file)) return;
    const db = await openDatabase({});
    try {
      await migrate(db);
      const dump = await db.pglite!.dumpDataDir('none');
      const staged = `${file}.${process.pid}`;
      fs.writeFileSync(staged, Buffer.from(await dump.arrayBuffer()));
      fs.renameSync(staged, file);
    } finally {
      await db.close();
    }
  });
}
