/**
 * Run by the server build (bin/server-build.js): makes the migrated PGlite template for the
 * built-in plugins, so that a first `npm start` copies it instead of running initdb and every
 * migration. Does nothing when the template for these migrations exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { loadPluginDescriptors, migrateAll } from '../app.ts';
import { BUILT_TEMPLATE_DIR, ensureTemplate, templateFile } from './pglite-template.ts';

const plugins = loadPluginDescriptors(loadConfig({}, { pluginPaths: [] }));
const file = templateFile(BUILT_TEMPLATE_DIR);
await ensureTemplate(file, (db) => migrateAll(db, plugins));
// Templates of earlier migrations are of no use any more.
for (const old of fs.readdirSync(BUILT_TEMPLATE_DIR)) {
  if (old.startsWith('pglite-template-') && old.endsWith('.tar') && path.join(BUILT_TEMPLATE_DIR, old) !== file) fs.rmSync(path.join(BUILT_TEMPLATE_DIR, old), { force: true });
}
