import t from 'tap';
import { cliHarness, failed, succeeded, RUN_TIMEOUT_MS } from './harness.ts';

t.setTimeout(RUN_TIMEOUT_MS);

t.test('tenant create, list, set-edition, set-seats, grant-addon and revoke-addon', async (t) => {
  const cli = await cliHarness(t);
  await cli.prepare();

  const help = await cli.run('help');
  succeeded(t, help);
  for (const usage of ['migrate down [--plugin id] [--steps n]', 'tenant grant-addon <tenant> <plugin>', 'member create <tenant>', 'plugin list <tenant>']) {
    t.ok(help.stdout.includes(usage), `help shows ${usage}`);
  }
  t.match(help.stdout, /do not run parley while the Parley server runs on the\s+same PGlite data folder/);

  // A hostile name is stored as given but never reaches the terminal as a control sequence.
  const create = await cli.run('tenant', 'create', 'acme', '--name', 'Acme \u001b[31m<b>', '--seats', '3');
  succeeded(t, create);
  t.match(create.stdout, /^Created tenant acme "Acme \\u001b\[31m<b>": standard edition, 3 seat\(s\), no add-ons \(id [0-9a-f-]{36}\)\n$/);

  failed(t, await cli.run('tenant', 'create', '--name', 'Nameless'), 2, /^parley: missing argument <slug>\n$/);
  failed(t, await cli.run('tenant', 'set-edition', 'acme', 'gold'), 1, /^parley: Edition must be one of standard, flagship\. \(INVALID_EDITION\)\n$/);

  const grant = await cli.run('tenant', 'grant-addon', 'acme', 'cli-addon');
  succeeded(t, grant);
  t.match(grant.stdout, /^Granted: acme .*add-ons: cli-addon/);
  t.notMatch(grant.stdout, /Now on/, 'an add-on starts disabled');

  const flagship = await cli.run('tenant', 'set-edition', 'acme', 'flagship');
  succeeded(t, flagship);
  t.match(flagship.stdout, /^Updated: acme .*flagship edition/);
  // Built-in plugins the flagship edition includes may turn on too; the fixtures must be among them.
  const nowOn = /^Now on: (.+)\.$/m.exec(flagship.stdout)?.[1]?.split(', ') ?? [];
  t.ok(nowOn.includes('cli-addon') && nowOn.includes('cli-extra'), 'plugins the flagship edition includes turn on');

  succeeded(t, await cli.run('tenant', 'set-seats', 'acme', '7'));

  const revoke = await cli.run('tenant', 'revoke-addon', 'acme', 'cli-addon');
  succeeded(t, revoke);
  t.match(revoke.stdout, /^Revoked: acme .*no add-ons/);

  const list = await cli.run('tenant', 'list', '--json');
  succeeded(t, list);
  const tenants = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
  t.equal(tenants.length, 1);
  t.match(tenants[0], { slug: 'acme', name: 'Acme \u001b[31m<b>', edition: 'flagship', seats: 7, addons: [], id: String });
});
