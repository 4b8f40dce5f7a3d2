/** Shared by the plugin-host tests: fixture plugin paths, an app with only chosen plugins, sockets. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { io, type Socket } from 'socket.io-client';
import pino from 'pino';
import { createTestApp, OPERATOR_TOKEN, type TestApp } from '../helpers/app.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';
import { loadConfig } from '../../config/index.ts';
import { buildApp, type ParleyApp } from '../../core/app.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = path.resolve(here, '../fixtures');
export const SAMPLE_NOTES = path.join(FIXTURES, 'plugins/sample-notes');
export const SAMPLE_DIGEST = path.join(FIXTURES, 'plugins/sample-digest');
/** Small plugins that are each wrong in one way (or required), for start-up and state tests. */
export const fixtureCase = (name: string) => path.join(FIXTURES, 'plugin-cases', name);
/** A folder without plugins, standing in for `plugins/` so a test sees only the plugins it names. */
export const NO_BUILT_INS = path.join(FIXTURES, 'no-built-in-plugins');

/** An app whose only plugins are `pluginPaths` (the built-in ones are left out). */
export function appWith(t: Test, pluginPaths: string[]): Promise<TestApp> {
  return createTestApp(t, { pluginPaths }, { pluginsDir: NO_BUILT_INS });
}

export const configFor = (pluginPaths: string[]) =>
  loadConfig({}, { pluginPaths, port: 0, host: '127.0.0.1', logLevel: 'silent', operatorToken: OPERATOR_TOKEN, seedDemo: false, redisUrl: undefined });

/** A database shared by several starts of Parley in one test; closed at teardown. */
export async function sharedDatabase(t: Test): Promise<TestDatabase> {
  const db = await freshDatabase();
  t.teardown(() => db.close());
  return db;
}

/** Starts Parley with only `pluginPaths` on `db`; closing the app leaves the database open for the next start. */
export function startOn(db: TestDatabase, pluginPaths: string[]): Promise<ParleyApp> {
  return buildApp({ config: configFor(pluginPaths), db: { ...db, close: async () => undefined }, logger: pino({ level: 'silent' }), pluginsDir: NO_BUILT_INS });
}

export interface Ack {
  ok: boolean;
  data?: unknown;
  error?: { statusCode: number; code: string; message: string };
}

/** Connects to a namespace of a listening app; the socket closes at teardown. */
export function connectSocket(t: Test, baseUrl: string, ns: 'agent' | 'visitor', token: string): Promise<Socket> {
  const socket = io(`${baseUrl}/${ns}`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 5000 });
  t.teardown(() => {
    socket.disconnect();
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

export function emitWithAck(socket: Socket, event: string, payload: unknown = {}): Promise<Ack> {
  return socket.timeout(5000).emitWithAck(event, payload) as Promise<Ack>;
}

/** Polls `check` until it returns something other than undefined (for after-the-fact actions). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function visitorToken(app: TestApp, slug: string): Promise<string> {
  const res = await app.request({ method: 'POST', url: '/api/visitor/session', body: { tenant: slug } });
  if (res.statusCode !== 200) throw new Error(`visitor session failed: ${res.body}`);
  return res.json().token as string;
}
