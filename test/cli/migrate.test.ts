import t from 'tap';
import { cliHarness, failed, succeeded, RUN_TIMEOUT_MS } from './harness.ts';

t.setTimeout(RUN_TIMEOUT_MS);

const appliedLedgers = (stdout: string) => JSON.parse(stdout) as Array<{ ledger: string; installed: boolean; applied: string[]; pending: string[] }>;

t.test('migrate up, status and down per ledger, with the safety rules', async (t) => {
  const cli = await cliHarness(t);

  const early = await cli.run('migrate', 'up', '--plugin', 'cli-extra');
  failed(t, early, 1, /"cli-extra" needs core, cli-addon migrated first/);

  const up = await cli.run('migrate', 'up');
  succeeded(t, up);
  const lines = up.stdout.trim().split('\n');
  const ledgerOrder = [...new Set(lines.map((l) => l.split(':')[0]))];
  t.equal(ledgerOrder[0], 'core', 'core first');
  t.ok(ledgerOrder.indexOf('cli-addon') < ledgerOrder.indexOf('cli-extra'), 'a plugin after its dependency');
  t.match(up.stdout, /^cli-addon: applied 20261127_0001_notes\.ts$/m);
  t.match(up.stdout, /^cli-extra: applied 20261127_0001_items\.ts$/m);

  const status = await cli.run('migrate', 'status');
  succeeded(t, status);
  t.match(status.stdout, /^LEDGER\s+APPLIED\s+PENDING\s+LAST APPLIED$/m);
  t.match(status.stdout, /^cli-addon\s+1\s+0\s+20261127_0001_notes\.ts$/m);
  t.match(status.stdout, /^core\s+[1-9]\d*\s+0\s+\S+$/m);

  failed(t, await cli.run('migrate', 'down'), 1, /cannot revert core migrations while plugin migrations are applied \(.*cli-addon, cli-extra\)/);
  failed(t, await cli.run('migrate', 'down', '--plugin', 'cli-addon'), 1, /cannot revert "cli-addon" while plugins that depend on it have migrations applied \(cli-extra\)/);

  const extraDown = await cli.run('migrate', 'down', '--plugin', 'cli-extra');
  succeeded(t, extraDown);
  t.equal(extraDown.stdout, 'cli-extra: reverted 20261127_0001_items.ts\n');
  const addonDown = await cli.run('migrate', 'down', '--plugin', 'cli-addon', '--steps', '5', '--json');
  succeeded(t, addonDown);
  t.same(JSON.parse(addonDown.stdout), [{ ledger: 'cli-addon', migration: '20261127_0001_notes.ts' }]);

  // Built-in plugins (if any have migrations) must be reverted too before the kernel can be.
  const builtIn = lines.map((l) => l.split(':')[0]!).filter((l, i, all) => l !== 'core' && !l.startsWith('cli-') && all.indexOf(l) === i);
  for (const ledger of builtIn.reverse()) succeeded(t, await cli.run('migrate', 'down', '--plugin', ledger, '--steps', '1000'));

  const coreDown = await cli.run('migrate', 'down', '--steps', '1000');
  succeeded(t, coreDown);
  t.match(coreDown.stdout, /^core: reverted 20261126_0001_kernel\.ts$/m);

  const after = await cli.run('migrate', 'status', '--json');
  succeeded(t, after);
  const ledgers = appliedLedgers(after.stdout);
  t.same(ledgers.map((l) => l.applied.length), ledgers.map(() => 0), 'nothing applied anywhere');
  t.same(ledgers.find((l) => l.ledger === 'cli-extra'), { ledger: 'cli-extra', installed: true, applied: [], pending: ['20261127_0001_items.ts'] });

  const db = await cli.open();
  try {
    t.notOk(await db.knex.schema.hasTable('cli_addon_notes'), 'the plugin table is gone');
    t.notOk(await db.knex.schema.hasTable('tenants'), 'the kernel tables are gone');
    if (db.kind === 'pglite') {
      // The test process holds the PGlite folder open, as a running server would.
      failed(t, await cli.run('migrate', 'status'), 1, /PGlite database in .* is in use by another process \(is the Parley server running\?/);
    }
  } finally {
    await db.close();
  }
});
