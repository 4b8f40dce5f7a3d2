/** A listening Parley app with tenants, agents on real sockets and visitors, for the conversation tests. */
import type { Test } from 'tap';
import { io, type Socket } from 'socket.io-client';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import type { Config } from '../../../config/index.ts';
import type { Clock } from '../../../core/clock.ts';
import type { Knex } from 'knex';

export interface Ack<T = any> {
  ok: boolean;
  data?: T;
  error?: { statusCode: number; code: string; message: string; field?: string };
}

export interface World {
  app: TestApp;
  url: string;
  socket(ns: 'agent' | 'visitor', token: string, opts?: { reconnection?: boolean }): Promise<Socket>;
  /** A visitor of `slug` with a token. */
  visitor(slug: string, name?: string): Promise<{ token: string; visitorId: string }>;
  /** Starts (or resumes) the visitor's session. */
  start(token: string, body?: Record<string, unknown>): Promise<any>;
  /** A member of `slug` whose agent socket is connected and whose status is `status`. */
  agent(slug: string, opts?: { role?: string; status?: string; capacity?: number }): Promise<{ id: string; token: string; socket: Socket }>;
  req(method: string, url: string, token?: string, body?: unknown): Promise<{ status: number; json: any; body: string; headers: Record<string, unknown> }>;
}

export async function world(t: Test, opts: { config?: Partial<Config>; clock?: Clock } = {}): Promise<World> {
  const app = await createTestApp(t, opts.config, { clock: opts.clock });
  const url = await app.listen();
  const sockets: Socket[] = [];
  t.teardown(() => {
    for (const s of sockets) s.disconnect();
  });
  const socket: World['socket'] = (ns, token, opts = {}) =>
    new Promise((resolve, reject) => {
      const s = io(`${url}/${ns}`, { auth: { token }, transports: ['websocket'], reconnection: opts.reconnection ?? false, forceNew: true });
      sockets.push(s);
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
  const req: World['req'] = async (method, path, token, body) => {
    const res = await app.request({ method, url: path, token, body });
    let json: any;
    try {
      json = res.json();
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, json, body: res.body, headers: res.headers as Record<string, unknown> };
  };
  const visitor: World['visitor'] = async (slug, name) => {
    const res = await req('POST', '/api/visitor/session', undefined, { tenant: slug, ...(name ? { name } : {}) });
    if (res.status !== 200) throw new Error(`visitor session failed: ${res.body}`);
    return { token: res.json.token, visitorId: res.json.visitorId };
  };
  const start: World['start'] = async (token, body = {}) => {
    const res = await req('POST', '/api/conversations/visitor/sessions', token, body);
    if (res.status !== 200) throw new Error(`start failed: ${res.body}`);
    return res.json.session;
  };
  const agent: World['agent'] = async (slug, opts = {}) => {
    const m = await app.member(slug, opts.role ?? 'agent');
    if (opts.capacity !== undefined) {
      const res = await req('PUT', '/api/conversations/agent/me', m.token, { capacity: opts.capacity });
      if (res.status !== 200) throw new Error(`capacity failed: ${res.body}`);
    }
    const s = await socket('agent', m.token);
    await until(async () => (await req('GET', '/api/conversations/agent/me', m.token)).json.status !== 'offline');
    const status = opts.status ?? 'idle';
    const ack = await emit(s, 'agent:status', { status });
    if (!ack.ok) throw new Error(`status failed: ${JSON.stringify(ack.error)}`);
    return { id: m.id, token: m.token, socket: s };
  };
  return { app, url, socket, visitor, start, agent, req };
}

export function emit<T = any>(socket: Socket, event: string, payload: unknown, timeoutMs = 5000): Promise<Ack<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${event}`)), timeoutMs);
    socket.emit(event, payload, (ack: Ack<T>) => {
      clearTimeout(timer);
      resolve(ack);
    });
  });
}

/** Runs `tasks` with at most `window` in flight, as a client must (the server caps requests in flight per connection). */
export async function windowed<T>(tasks: Array<() => Promise<T>>, window = 16): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, tasks.length) }, worker));
  return out;
}

/** Resolves with the first `event` pushed to `socket` that satisfies `match`. */
export function next<T = any>(socket: Socket, event: string, match: (data: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, on);
      reject(new Error(`no ${event} arrived`));
    }, timeoutMs);
    const on = (data: T) => {
      if (!match(data)) return;
      clearTimeout(timer);
      socket.off(event, on);
      resolve(data);
    };
    socket.on(event, on);
  });
}

export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

let counter = 0;
export const clientId = () => `c-${Date.now().toString(36)}-${++counter}`;

/** A multipart/form-data body with one file part. */
export function multipart(filename: string, data: Buffer, field = 'file', contentType = 'application/octet-stream') {
  const boundary = `----parley${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, data, tail]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A valid 1x1 PNG. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/**
 * `count` closed sessions "Visitor <first>" … (codes S-20261101-<first, 6 digits> …), one a minute
 * further back each, in the tenant, channel and skill group of `likeSessionId`: a long history in
 * one statement. A later call continues where an earlier one stopped by passing its `first`.
 */
export async function seedClosedSessions(knex: Knex, likeSessionId: string, count: number, first = 1): Promise<void> {
  const { tenant_id, channel_id, skill_group_id } = await knex('conversations_sessions').where({ id: likeSessionId }).first('tenant_id', 'channel_id', 'skill_group_id');
  await knex.raw(
    `insert into conversations_sessions (tenant_id, code, visitor_id, visitor_name, channel_id, skill_group_id, state, created_at, queued_at, closed_at)
     select ?, 'S-20261101-' || lpad(i::text, 6, '0'), gen_random_uuid(), 'Visitor ' || i, ?, ?, 'closed', now() - make_interval(mins => i), now() - make_interval(mins => i), now()
     from generate_series(?::int, ?::int) as i`,
    [tenant_id, channel_id, skill_group_id, first, first + count - 1],
  );
}
