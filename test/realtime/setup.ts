/**
 * A listening Parley for realtime tests: on Redis too when REDIS_URL is set (CI runs the realtime
 * tests both ways), with a visitor-token helper.
 */
import type { Test } from 'tap';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import type { Config } from '../../config/index.ts';

export interface RealtimeTestApp extends TestApp {
  url: string;
  visitor(tenantSlug: string): Promise<{ token: string; visitorId: string; tenantId: string }>;
}

/** Builds the app; `before` runs before it listens (register test events there). */
export async function listeningApp(t: Test, before?: (app: TestApp) => void | Promise<void>, overrides: Partial<Config> = {}): Promise<RealtimeTestApp> {
  const app = await createTestApp(t, { redisUrl: process.env.REDIS_URL || undefined, ...overrides });
  await before?.(app);
  const url = await app.listen();
  const visitor: RealtimeTestApp['visitor'] = async (tenant) => {
    const res = await app.request({ method: 'POST', url: '/api/visitor/session', body: { tenant } });
    if (res.statusCode !== 200) throw new Error(`visitor session failed: ${res.body}`);
    return res.json();
  };
  return Object.assign(app, { url, visitor });
}
