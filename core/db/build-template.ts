/**
 * The migrated PGlite template for the built-in plugins, in dist/pglite: a first `npm start` copies
 * it instead of running initdb and every migration, and the tests start their databases from it.
 * Run by the server build (bin/server-build.js); does nothing when the template for these
 * migrations exists, and removes templates of earlier ones.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../../config/index.ts';
import { loadPluginDescriptors, migrateAll } from '../app.ts';
import type { Database } from './connect.ts';
import { BUILT_TEMPLATE_DIR, ensureTemplate, templateFile } from './pglite-template.ts';

/** What the template holds: the kernel's and the built-in plugins' migrations (tests use it for PostgreSQL too). */
export const migrateBuiltIns = (db: Database) => migrateAll(db, loadPluginDescriptors(loadConfig({}, { pluginPaths: [] })));

/** Makes the template unless it exists; returns its file. */
export async function ensureBuiltTemplate(): Promise<string> {
  const file = templateFile(BUILT_TEMPLATE_DIR);
  await ensureTemplate(file, migrateBuiltIns);
  return file;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = await ensureBuiltTemplate();
  for (const old of fs.readdirSync(BUILT_TEMPLATE_DIR)) {
    if (old.startsWith('pglite-template-') && old.endsWith('.tar') && path.join(BUILT_TEMPLATE_DIR, old) !== file) fs.rmSync(path.join(BUILT_TEMPLATE_DIR, old), { force: true });
  }
}
