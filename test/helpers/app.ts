/** Builds a Parley app on a fresh database for a test, with helpers to make tenants and sign in. */
import type { Test } from 'tap';
import pino from 'pino';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../config/index.ts';
import { buildApp, type ParleyApp } from '../../core/app.ts';
import { freshDatabase } from './database.ts';
import type { Clock } from '../../core/clock.ts';

export const OPERATOR_TOKEN = 'test-operator-token-0123456789';

export interface TestApp extends ParleyApp {
  request(opts: { method: string; url: string; token?: string; body?: unknown; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  operator(method: string, url: string, body?: unknown): Promise<LightMyRequestResponse>;
  /** Creates a tenant with an admin and returns the admin's bearer token. */
  tenant(slug: string, opts?: { edition?: 'standard' | 'flagship'; seats?: number; addons?: string[] }): Promise<{ id: string; slug: string; adminToken: string; adminId: string }>;
  member(tenantSlug: string, roleKey: string, email?: string): Promise<{ id: string; token: string; email: string; password: string }>;
  login(tenantSlug: string, email: string, password: string): Promise<string>;
}

/** `pluginsDir` replaces the built-in `plugins/` folder (tests of one plugin in isolation). */
export async function createTestApp(t: Test, overrides: Partial<Config> = {}, options: { pluginsDir?: string; clock?: Clock } = {}): Promise<TestApp> {
  // Built-in plugins only: start from the migrated template (see database.ts).
  const db = await freshDatabase({ migrated: options.pluginsDir === undefined });
  const config = loadConfig({}, {
    pluginPaths: [],
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    operatorToken: OPERATOR_TOKEN,
    seedDemo: false,
    redisUrl: undefined,
    loginRateLimit: { max: 1000, windowMs: 60_000 },
    ...overrides,
  });
  const app = await buildApp({ config, db, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), pluginsDir: options.pluginsDir, clock: options.clock });
  t.teardown(() => app.close());

  const request: TestApp['request'] = ({ method, url, token, body, headers }) =>
    app.http.inject({
      method: method as 'GET',
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(headers ?? {}) },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
  const operator: TestApp['operator'] = (method, url, body) => request({ method, url, token: OPERATOR_TOKEN, body });
  const login: TestApp['login'] = async (tenant, email, password) => {
    const res = await request({ method: 'POST', url: '/api/auth/login', body: { tenant, email, password } });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
    return res.json().token as string;
  };
  let counter = 0;
  const member: TestApp['member'] = async (tenantSlug, roleKey, email) => {
    const password = 'correct horse battery';
    const address = email ?? `${roleKey.replace(/[^a-z0-9]/g, '')}${++counter}@${tenantSlug}.test`;
    const res = await operator('POST', `/api/operator/tenants/${tenantSlug}/members`, { email: address, name: `${roleKey} ${counter}`, password, roleKey });
    if (res.statusCode !== 201) throw new Error(`member create failed: ${res.body}`);
    return { id: res.json().id, token: await login(tenantSlug, address, password), email: address, password };
  };
  const tenant: TestApp['tenant'] = async (slug, opts = {}) => {
    const res = await operator('POST', '/api/operator/tenants', { slug, name: `Tenant ${slug}`, edition: opts.edition ?? 'standard', seats: opts.seats ?? 20, addons: opts.addons ?? [] });
    if (res.statusCode !== 201) throw new Error(`tenant create failed: ${res.body}`);
    const admin = await member(slug, 'admin', `admin@${slug}.test`);
    return { id: res.json().id, slug, adminToken: admin.token, adminId: admin.id };
  };
  return Object.assign(app, { request, operator, tenant, member, login });
}
