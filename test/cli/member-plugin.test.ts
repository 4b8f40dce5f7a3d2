import t from 'tap';
import pino from 'pino';
import { buildApp } from '../../core/app.ts';
import { TenantService } from '../../core/tenants/tenant-service.ts';
import { cliHarness, failed, succeeded, RUN_TIMEOUT_MS } from './harness.ts';

t.setTimeout(RUN_TIMEOUT_MS);

t.test('plugin list/enable/disable and member create, seen by the server afterwards', async (t) => {
  const cli = await cliHarness(t);
  await cli.prepare(async (db) => {
    await new TenantService(db.knex).create({ slug: 'shop', name: 'Shop', edition: 'standard', seats: 2, addons: ['cli-addon'] });
  });

  const listed = await cli.run('plugin', 'list', 'shop', '--json');
  succeeded(t, listed);
  const views = JSON.parse(listed.stdout) as Array<{ id: string }>;
  t.match(views.find((v) => v.id === 'cli-addon'), { license: 'addon', licensed: true, enabled: false }, 'a purchased add-on starts off');
  t.match(views.find((v) => v.id === 'cli-extra'), { license: 'unavailable', licensed: false, enabled: false });

  failed(t, await cli.run('plugin', 'enable', 'shop', 'cli-extra'), 1, /not available in the standard edition\. \(PLUGIN_NOT_LICENSED\)/);
  failed(t, await cli.run('plugin', 'list', 'nope'), 1, /^parley: No tenant "nope"\. \(TENANT_NOT_FOUND\)\n$/);

  const enable = await cli.run('plugin', 'enable', 'shop', 'cli-addon');
  succeeded(t, enable);
  t.equal(enable.stdout, 'cli-addon is now enabled for shop.\n');

  const table = await cli.run('plugin', 'list', 'shop');
  succeeded(t, table);
  t.match(table.stdout, /^ID\s+LICENSE\s+LICENSED\s+ENABLED$/m);
  t.match(table.stdout, /^cli-addon\s+addon\s+yes\s+yes$/m);
  t.match(table.stdout, /^cli-extra\s+unavailable\s+no\s+no$/m);

  const disable = await cli.run('plugin', 'disable', 'shop', 'cli-addon');
  succeeded(t, disable);
  t.equal(disable.stdout, 'cli-addon is now disabled for shop.\n');

  const ann = await cli.run('member', 'create', 'shop', '--email', 'Ann@Shop.test', '--name', 'Ann', '--role', 'admin');
  succeeded(t, ann);
  const password = /^Password: (\S+)$/m.exec(ann.stdout)?.[1];
  t.ok(password && password.length >= 16, 'a generated password is printed');
  t.match(ann.stdout, /^Created admin ann@shop\.test "Ann" in shop/);

  const bob = await cli.run('member', 'create', 'shop', '--email', 'bob@shop.test', '--name', 'Bob', '--role', 'agent', '--password', 'correct horse', '--json');
  succeeded(t, bob);
  t.same(Object.keys(JSON.parse(bob.stdout)), ['member'], 'a given password is not echoed');
  t.match(JSON.parse(bob.stdout).member, { email: 'bob@shop.test', roleKey: 'agent' });

  failed(t, await cli.run('member', 'create', 'shop', '--email', 'cy@shop.test', '--name', 'Cy', '--role', 'agent'), 1, /\(SEATS_EXHAUSTED\)/);

  // The server, started on the same database afterwards, sees what the CLI did.
  const app = await buildApp({ config: cli.config, logger: pino({ level: 'silent' }) });
  try {
    const login = await app.http.inject({ method: 'POST', url: '/api/auth/login', payload: { tenant: 'shop', email: 'ann@shop.test', password } });
    t.equal(login.statusCode, 200, 'the admin signs in with the printed password');
    const token = login.json().token as string;
    const plugins = await app.http.inject({ method: 'GET', url: '/api/plugins', headers: { authorization: `Bearer ${token}` } });
    t.equal(plugins.statusCode, 200);
    t.match(plugins.json().items.find((v: { id: string }) => v.id === 'cli-addon'), { licensed: true, enabled: false });
    const agent = await app.http.inject({ method: 'POST', url: '/api/auth/login', payload: { tenant: 'shop', email: 'bob@shop.test', password: 'correct horse' } });
    t.equal(agent.statusCode, 200, 'the agent signs in with the given password');
  } finally {
    await app.close();
  }
});
