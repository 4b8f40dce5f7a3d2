/**
 * The plugin contract, checked for EVERY plugin Parley discovers (all of plugins/ plus the fixture
 * plugins under test/fixtures/plugins/), so a plugin added later is covered without touching this
 * file. With a plugin disabled for a tenant:
 *   - each of its routes answers 404 PLUGIN_DISABLED,
 *   - each of its socket events is refused with PLUGIN_DISABLED,
 *   - the hook bus delivers none of its action or filter handlers for that tenant,
 *   - the console bootstrap lists neither the plugin nor its permission nodes.
 * Required plugins cannot be disabled and are skipped with a note.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import type { PluginDescriptor } from '../../core/plugin-host/manifest.ts';
import { connectSocket, emitWithAck, FIXTURES, visitorToken } from './support.ts';

const FIXTURE_PLUGINS = path.join(FIXTURES, 'plugins');
const fixturePaths = fs
  .readdirSync(FIXTURE_PLUGINS)
  .map((name) => path.join(FIXTURE_PLUGINS, name))
  .filter((dir) => fs.existsSync(path.join(dir, 'plugin.json')));

const DUMMIES = ['00000000-0000-4000-8000-000000000000', '1', 'x'];

/** Fills a fastify route path: `:tenant` with the tenant's slug, other parameters with a value their pattern accepts. */
export function fillPath(url: string, slug: string): string {
  return url
    .replace(/:([A-Za-z0-9_]+)(\(([^)]*)\))?/g, (_m, name: string, _g, pattern?: string) => {
      if (name === 'tenant') return slug;
      if (!pattern) return DUMMIES[0]!;
      return DUMMIES.find((d) => new RegExp(pattern).test(d)) ?? DUMMIES[0]!;
    })
    .replace(/\*/g, 'x');
}

/** The plugin and every plugin that depends on it, directly or not, dependents first. */
function withDependents(id: string, plugins: PluginDescriptor[]): string[] {
  const out = new Set<string>([id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of plugins) {
      if (!out.has(p.manifest.id) && (p.manifest.dependencies ?? []).some((d) => out.has(d))) {
        out.add(p.manifest.id);
        grew = true;
      }
    }
  }
  return plugins.map((p) => p.manifest.id).filter((pid) => out.has(pid)).reverse();
}

interface TreeNode {
  key: string;
  owner: string;
  children: TreeNode[];
}
const owners = (nodes: TreeNode[]): string[] => nodes.flatMap((n) => [n.owner, ...owners(n.children)]);

/** A flagship tenant holding every add-on, with every plugin switched on that can be. */
async function tenantWithEverything(app: TestApp, slug: string) {
  const ids = app.plugins.map((p) => p.manifest.id);
  const tenant = await app.tenant(slug, { edition: 'flagship', addons: ids });
  for (const id of ids) {
    if (await app.kernel.pluginState.isEnabled(tenant.id, id)) continue;
    await app.request({ method: 'POST', url: `/api/plugins/${id}/enable`, token: tenant.adminToken });
  }
  return tenant;
}

t.test('every plugin is switched off completely when disabled for a tenant', async (t) => {
  const app = await createTestApp(t, { pluginPaths: fixturePaths });
  t.ok(app.plugins.some((p) => p.manifest.id === 'sample-notes'), 'the third-party fixture plugin is among the plugins checked');
  t.comment(`plugins under contract: ${app.plugins.map((p) => p.manifest.id).join(', ')}`);
  const base = await app.listen();
  const control = await tenantWithEverything(app, 'contract-control');
  const controlEnabled = await app.kernel.pluginState.enabledSet(control.id);

  let index = 0;
  for (const plugin of app.plugins) {
    const id = plugin.manifest.id;
    const slug = `contract-${++index}`;
    if (plugin.manifest.required) {
      await t.test(id, { skip: `${id} is required: it cannot be disabled, so there is no disabled state to check` }, async () => undefined);
      continue;
    }
    await t.test(id, async (t) => {
      const tenant = await tenantWithEverything(app, slug);
      for (const pid of withDependents(id, app.plugins)) {
        if (!(await app.kernel.pluginState.isEnabled(tenant.id, pid))) continue;
        const off = await app.request({ method: 'POST', url: `/api/plugins/${pid}/disable`, token: tenant.adminToken });
        if (!t.equal(off.statusCode, 200, `disable ${pid}`)) t.comment(off.body);
      }
      t.notOk(await app.kernel.pluginState.isEnabled(tenant.id, id), `${id} is disabled for ${slug}`);
      const visitor = await visitorToken(app, slug);

      const routes = app.http.routeCatalogue.filter((r) => r.pluginId === id);
      for (const route of routes) {
        const label = `${route.method} ${route.url}`;
        if (route.permission === '@operator') {
          t.comment(`${label}: operator route, not tenant-scoped; the tenant gate does not apply`);
          continue;
        }
        const token = route.permission === '@public' ? undefined : route.permission === '@visitor' ? visitor : tenant.adminToken;
        const res = await app.request({ method: route.method, url: fillPath(route.url, slug), token });
        t.equal(res.statusCode, 404, `${label} answers 404`);
        if (route.method !== 'HEAD') t.match(res.json(), { statusCode: 404, code: 'PLUGIN_DISABLED' }, `${label} answers PLUGIN_DISABLED`);
      }

      const events = app.kernel.realtime.registeredEvents().filter((e) => e.owner === id);
      const sockets: Partial<Record<'agent' | 'visitor', Socket>> = {};
      for (const e of events) {
        sockets[e.ns] ??= await connectSocket(t, base, e.ns, e.ns === 'agent' ? tenant.adminToken : visitor);
        const ack = await emitWithAck(sockets[e.ns]!, e.event, {});
        t.match(ack, { ok: false, error: { statusCode: 404, code: 'PLUGIN_DISABLED' } }, `socket ${e.ns}:${e.event} is refused`);
      }
      for (const s of Object.values(sockets)) s.disconnect();

      const hooks = app.kernel.hooks.registrations().filter((r) => r.owner === id);
      for (const h of hooks) {
        t.notOk((await app.kernel.hooks.recipients(h.kind, h.name, tenant.id)).includes(id), `${h.kind} ${h.name} is not delivered to ${id}`);
        if (controlEnabled.has(id)) {
          t.ok((await app.kernel.hooks.recipients(h.kind, h.name, control.id)).includes(id), `${h.kind} ${h.name} still reaches ${id} where it is enabled`);
        }
      }

      const boot = await app.request({ method: 'GET', url: '/api/console/bootstrap', token: tenant.adminToken });
      t.equal(boot.statusCode, 200);
      const { plugins, permissions } = boot.json() as { plugins: Array<{ id: string }>; permissions: TreeNode[] };
      t.notOk(plugins.some((p) => p.id === id), 'the console bootstrap does not list it');
      t.notOk(owners(permissions).includes(id), 'the console bootstrap shows none of its permission nodes');

      t.comment(`${id}: ${routes.length} route(s), ${events.length} socket event(s), ${hooks.length} hook handler(s) checked`);
    });
  }
});

t.test("every route's and socket event's schemas compile (start-up leaves them to first use)", async (t) => {
  const app = await createTestApp(t, { pluginPaths: fixturePaths });
  await t.resolves(app.compileSchemas());
});

t.test('fillPath fills every kind of parameter', async (t) => {
  t.equal(fillPath('/api/x/public/:tenant/items/:id', 'acme'), '/api/x/public/acme/items/00000000-0000-4000-8000-000000000000');
  t.equal(fillPath('/api/x/:n(^\\d+$)/files/*', 'acme'), '/api/x/1/files/x');
});
