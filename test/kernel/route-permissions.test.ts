import t from 'tap';
import { createTestApp } from '../helpers/app.ts';
import { PSEUDO_PERMISSIONS } from '../../core/permissions/tree.ts';

const app = await createTestApp(t);

t.test('every registered route declares a permission that exists', async (t) => {
  const routes = app.http.routeCatalogue;
  t.ok(routes.length > 30, `catalogue lists the routes (${routes.length})`);
  const missing = routes.filter((r) => !r.permission).map((r) => `${r.method} ${r.url}`);
  t.same(missing, [], 'no route lacks a permission');
  const unknown = routes
    .filter((r) => r.permission && !(PSEUDO_PERMISSIONS as readonly string[]).includes(r.permission) && !app.kernel.permissions.has(r.permission))
    .map((r) => `${r.method} ${r.url} -> ${r.permission}`);
  t.same(unknown, [], 'every permission names a node of the tree or a pseudo permission');
});

t.test('/openapi.json is OpenAPI 3 and states who may call each operation', async (t) => {
  const res = await app.request({ method: 'GET', url: '/openapi.json' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /application\/json/);
  const doc = res.json() as { openapi: string; paths: Record<string, Record<string, { security?: unknown[]; 'x-permission'?: string }>>; components: { securitySchemes: Record<string, unknown> } };
  t.match(doc.openapi, /^3\./);
  t.ok(doc.components.securitySchemes.bearer, 'bearer scheme declared');

  const documented = new Map<string, { security?: unknown[]; 'x-permission'?: string }>();
  for (const [p, ops] of Object.entries(doc.paths)) for (const [m, op] of Object.entries(ops)) documented.set(`${m.toUpperCase()} ${p}`, op);

  // Every API route of the catalogue (not HEAD twins, not those hidden on purpose) is documented.
  const apiRoutes = app.http.routeCatalogue.filter((r) => r.method !== 'HEAD' && r.url.startsWith('/api/') && !r.url.endsWith('/') && !r.hidden);
  t.ok(apiRoutes.length > 20);
  for (const r of apiRoutes) {
    const op = documented.get(`${r.method} ${r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{*}')}`);
    if (!op) {
      t.fail(`${r.method} ${r.url} is not in /openapi.json`);
      continue;
    }
    if (r.permission === '@public') {
      t.same(op.security, [], `${r.method} ${r.url} is public: security []`);
      t.notOk(op['x-permission'], `${r.method} ${r.url} has no x-permission`);
    } else {
      t.equal(op['x-permission'], r.permission, `${r.method} ${r.url} x-permission`);
      t.ok(Array.isArray(op.security) && op.security.length > 0, `${r.method} ${r.url} names its security scheme`);
    }
  }
  // And every documented operation, API or not, says who may call it.
  for (const [name, op] of documented) {
    const isPublic = Array.isArray(op.security) && op.security.length === 0;
    t.ok(isPublic !== !!op['x-permission'], `${name}: either public (security: []) or naming its x-permission`);
  }
  t.equal(documented.get('GET /healthz')?.security?.length, 0);
  t.equal(documented.get('POST /api/auth/login')?.['x-permission'], undefined);
  t.equal(documented.get('PATCH /api/members/{id}')?.['x-permission'], 'settings.members');
  t.equal(documented.get('POST /api/operator/tenants')?.['x-permission'], '@operator');
});

t.test('/docs serves a browsable page', async (t) => {
  const res = await app.request({ method: 'GET', url: '/docs' });
  const page = res.statusCode === 302 ? await app.request({ method: 'GET', url: res.headers.location as string }) : res;
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /text\/html/);
  t.match(page.body, /swagger/i);
});
