/**
 * Plugin migrations: one ledger per plugin, core first then plugins in dependency order, removing
 * a plugin leaves the others alone, one ledger can be reverted, and the table rule is enforced on
 * what each migration actually did to the schema.
 */
import t from 'tap';
import { loadPluginDescriptors, migrateAll, type ParleyApp } from '../../core/app.ts';
import * as migrator from '../../core/db/migrator.ts';
import { ledgerOf, migratePlugin, revertPlugin } from '../../core/plugin-host/plugin-host.ts';
import type { TestDatabase } from '../helpers/database.ts';
import { OPERATOR_TOKEN } from '../helpers/app.ts';
import { configFor, fixtureCase, NO_BUILT_INS, SAMPLE_DIGEST, SAMPLE_NOTES, sharedDatabase, startOn as start } from './support.ts';

async function ledgers(db: TestDatabase): Promise<Record<string, string[]>> {
  const rows: Array<{ ledger: string; name: string }> = await db.knex('schema_migrations').orderBy(['ledger', 'name']);
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[r.ledger] ??= []).push(r.name);
  return out;
}

const hasTable = (db: TestDatabase, name: string) => db.knex.schema.hasTable(name);

const operator = (app: ParleyApp, method: string, url: string, body?: object) =>
  app.http.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${OPERATOR_TOKEN}` }, ...(body ? { payload: body } : {}) });

t.test('each plugin keeps its own ledger; dependencies migrate first; removing a plugin breaks nothing', async (t) => {
  const db = await sharedDatabase(t);
  // Configured dependent-first: the digest's foreign key to sample_notes_notes needs notes migrated before it.
  const first = await start(db, [SAMPLE_DIGEST, SAMPLE_NOTES]);
  t.same(first.plugins.map((p) => p.manifest.id), ['sample-notes', 'sample-digest']);
  const recorded = await ledgers(db);
  t.same(Object.keys(recorded).sort(), ['core', 'sample-digest', 'sample-notes']);
  t.same(recorded['sample-notes'], ['20261127_0001_notes.ts']);
  t.same(recorded['sample-digest'], ['20261127_0001_pins.ts']);
  const owners = await migrator.tableOwners(db.knex);
  t.equal(owners.get('members'), 'core');
  t.equal(owners.get('sample_notes_notes'), 'sample-notes');
  t.equal(owners.get('sample_digest_pins'), 'sample-digest');

  t.equal((await operator(first, 'POST', '/api/operator/tenants', { slug: 'keep', name: 'Keep', edition: 'flagship' })).statusCode, 201);
  const member = await operator(first, 'POST', '/api/operator/tenants/keep/members', { email: 'a@keep.test', name: 'A', password: 'long enough pass', roleKey: 'admin' });
  const tenantId = (await db.knex('tenants').where({ slug: 'keep' }).first()).id;
  const [note] = await db.knex('sample_notes_notes').insert({ tenant_id: tenantId, author_id: member.json().id, body: 'survives' }).returning('id');
  await db.knex('sample_digest_pins').insert({ tenant_id: tenantId, note_id: note.id });
  await first.close();

  // The digest is removed from the installation: Parley starts, sample-notes is untouched.
  const withoutDigest = await start(db, [SAMPLE_NOTES]);
  t.same(withoutDigest.plugins.map((p) => p.manifest.id), ['sample-notes']);
  t.equal((await operator(withoutDigest, 'GET', '/api/operator/tenants/keep/plugins')).json().items.length, 1);
  await withoutDigest.close();

  // Every plugin removed: still starts; their ledgers and tables stay for when they come back.
  const bare = await start(db, []);
  await bare.close();
  t.same(await ledgers(db), recorded, 'ledgers of removed plugins are kept, nothing re-ran');
  t.ok(await hasTable(db, 'sample_digest_pins'));

  // Removing a plugin that another still depends on is a clear start-up error.
  await t.rejects(start(db, [SAMPLE_DIGEST]), /plugin "sample-digest" depends on "sample-notes", which is not installed/);

  const back = await start(db, [SAMPLE_NOTES, SAMPLE_DIGEST]);
  t.same(await ledgers(db), recorded, 'coming back runs no migration twice');
  t.equal((await db.knex('sample_digest_pins').where({ tenant_id: tenantId })).length, 1, 'data kept across the removal');
  await back.close();
});

t.test('migrator.down reverts one plugin\'s ledger and nothing else', async (t) => {
  const db = await sharedDatabase(t);
  const plugins = loadPluginDescriptors(configFor([SAMPLE_NOTES, SAMPLE_DIGEST]), NO_BUILT_INS);
  await migrateAll(db, plugins);
  const digest = plugins.find((p) => p.manifest.id === 'sample-digest')!;
  const before = await ledgers(db);

  t.same(await revertPlugin(db.knex, digest), ['20261127_0001_pins.ts']);
  t.notOk(await hasTable(db, 'sample_digest_pins'), 'its table is gone');
  t.ok(await hasTable(db, 'sample_notes_notes'), 'the dependency\'s table stays');
  t.same(await ledgers(db), { core: before.core, 'sample-notes': before['sample-notes'] });
  t.notOk((await migrator.tableOwners(db.knex)).has('sample_digest_pins'), 'ownership record removed');
  t.same((await migrator.status(db.knex, ledgerOf(digest))).pending, ['20261127_0001_pins.ts']);
  t.same(await revertPlugin(db.knex, digest), [], 'nothing left to revert');

  t.same(await migratePlugin(db.knex, digest), ['20261127_0001_pins.ts']);
  t.same(await ledgers(db), before);
});

t.test('two processes starting at once apply each migration once', async (t) => {
  const db = await sharedDatabase(t);
  const plugins = loadPluginDescriptors(configFor([SAMPLE_NOTES, SAMPLE_DIGEST]), NO_BUILT_INS);
  const other = db.url ? await (await import('../../core/db/connect.ts')).openDatabase({ url: db.url }) : db;
  if (other !== db) t.teardown(() => other.close());
  await Promise.all([migrateAll(db, plugins), migrateAll(other, plugins)]);
  const rows: Array<{ count: number }> = await db.knex('schema_migrations').select(db.knex.raw('count(*)::int as count')).groupBy('ledger', 'name');
  t.ok(rows.length >= 3);
  t.ok(rows.every((r) => r.count === 1));
});

t.test('the table rule stops start-up and rolls the offending migration back', async (t) => {
  const db = await sharedDatabase(t);
  const cases: Array<[string[], string, RegExp, string]> = [
    [[fixtureCase('bad-table-name')], 'bad-table-name', /plugin "bad-table-name", migration 20261127_0001_bad\.ts \(up\): table "notes_without_prefix" must be named with the plugin's prefix "bad_table_name_"/, 'notes_without_prefix'],
    [[SAMPLE_NOTES, fixtureCase('bad-foreign-key')], 'bad-foreign-key', /plugin "bad-foreign-key", .*table "bad_foreign_key_links" references "sample_notes_notes", which belongs to plugin "sample-notes"; a plugin may reference only kernel tables, its own tables and those of plugins it declares as dependencies/, 'bad_foreign_key_links'],
    [[fixtureCase('alters-kernel')], 'alters-kernel', /plugin "alters-kernel", .*changes the columns of table "members", which belongs to the kernel/, ''],
  ];
  for (const [paths, id, message, table] of cases) {
    await t.rejects(start(db, paths), { name: 'TableRuleError', message }, id);
    t.same((await ledgers(db))[id], undefined, `${id}: no ledger row`);
    if (table) t.notOk(await hasTable(db, table), `${id}: its table was rolled back`);
  }
  t.notOk(await db.knex.schema.hasColumn('members', 'alters_kernel_nickname'), 'the kernel table is unchanged');
  const app = await start(db, [SAMPLE_NOTES]);
  t.pass('the database is still good for a correct installation');
  await app.close();
});
