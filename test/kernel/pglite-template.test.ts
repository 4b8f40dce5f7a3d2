/**
 * The migrated PGlite template (core/db/pglite-template.ts): made once, and a new data folder
 * started from it is a migrated database on disk that opens again without it.
 */
import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../core/db/connect.ts';
import * as migrator from '../../core/db/migrator.ts';
import { CORE_LEDGER, loadPluginDescriptors, migrateAll } from '../../core/app.ts';
import { ledgerOf } from '../../core/plugin-host/plugin-host.ts';
import { BUILT_TEMPLATE_DIR, ensureTemplate, readTemplate, templateFile, withFirstStartTemplate } from '../../core/db/pglite-template.ts';
import { loadConfig } from '../../config/index.ts';

const plugins = loadPluginDescriptors(loadConfig({}, { pluginPaths: [] }));
const migrate = (db: Parameters<Parameters<typeof ensureTemplate>[1]>[0]) => migrateAll(db, plugins);

function tempDir(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-template-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('the template is made once per set of migrations', async (t) => {
  const folder = tempDir(t);
  const file = templateFile(folder);
  t.match(path.basename(file), /^pglite-template-[0-9a-f]{16}\.tar$/);
  t.equal(readTemplate(file), undefined, 'nothing before it is made');
  await ensureTemplate(file, migrate);
  const made = fs.statSync(file).mtimeMs;
  let ranAgain = false;
  await ensureTemplate(file, async () => { ranAgain = true; });
  t.notOk(ranAgain, 'an existing template is not made again');
  t.equal(fs.statSync(file).mtimeMs, made);
  t.equal(templateFile(folder), file, 'the name is stable while the migrations are');
});

t.test('a new data folder started from the template is migrated, on disk', async (t) => {
  const builtFile = templateFile(BUILT_TEMPLATE_DIR);
  await ensureTemplate(builtFile, migrate);
  const dataDir = path.join(tempDir(t), 'pglite');
  const target = withFirstStartTemplate({ dataDir });
  t.ok(target.template, 'a folder without a cluster gets the built template');

  const db = await openDatabase(target);
  for (const ledger of [CORE_LEDGER, ...plugins.map(ledgerOf)]) {
    const status = await migrator.status(db.knex, ledger);
    t.same(status.pending, [], `${ledger.name}: nothing left to migrate`);
    t.ok(status.applied.length > 0, `${ledger.name}: migrations recorded`);
  }
  await db.knex('tenants').insert({ slug: 'kept', name: 'Kept', visitor_secret: 'secret' });
  await db.close();

  t.equal(withFirstStartTemplate({ dataDir }).template, undefined, 'a folder that holds a cluster is opened as it is');
  const again = await openDatabase({ dataDir });
  t.match(await again.knex('tenants').where({ slug: 'kept' }).first(), { name: 'Kept' }, 'what was written stays');
  await again.close();
});

t.test('a database server target is left alone', async (t) => {
  t.same(withFirstStartTemplate({ url: 'postgres://example.invalid/x' }), { url: 'postgres://example.invalid/x' });
});
