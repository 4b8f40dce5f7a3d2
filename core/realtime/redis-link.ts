/**
 * The Redis connection behind the socket.io adapter, so that Parley processes deliver to each
 * other's sockets. Redis trouble at run time is logged, never thrown: local delivery goes on, and
 * the clients reconnect by themselves. Only a Redis that cannot be reached at start-up is an error.
 */
import { createClient } from 'redis';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Logger } from 'pino';

type RedisClient = ReturnType<typeof createClient>;

export interface RedisLinkOptions {
  /** How long start-up waits for Redis before giving up. */
  connectTimeoutMs?: number;
  /** Channel prefix; processes of one installation must share it, other installations must not. */
  key?: string;
  /** Connection name shown by `CLIENT LIST` (useful to tell processes apart). */
  name?: string;
}

export interface RedisLink {
  adapter: ReturnType<typeof createAdapter>;
  /**
   * Resolves once Redis has taken every publish made before the call (a PING queued behind them
   * has come back; one PING serves all callers of a tick). Waits at most FLUSH_WAIT_MS.
   */
  flushed(): Promise<void>;
  close(): Promise<void>;
}

const FLUSH_WAIT_MS = 1000;

const LOG_EVERY_MS = 10_000;

/** Logs the first failure at once, then at most one line per interval with how many were skipped. */
function throttledLog(log: Logger, message: string) {
  let last = 0;
  let skipped = 0;
  return (err: unknown) => {
    const now = Date.now();
    if (now - last < LOG_EVERY_MS) {
      skipped++;
      return;
    }
    log.error({ err, skipped }, message);
    last = now;
    skipped = 0;
  };
}

/** Commands the adapter sends without awaiting them. */
const FIRE_AND_FORGET = new Set(['publish', 'sPublish', 'subscribe', 'pSubscribe', 'sSubscribe', 'unsubscribe', 'pUnsubscribe', 'sUnsubscribe']);

/**
 * What the adapter sees of a client: the client itself, except that the commands it fires without
 * awaiting them have their failures reported to `onFailure`. Otherwise a rejected command (Redis
 * away, client closed during shutdown) would be an unhandled rejection that ends the process.
 * Everything else (server counts for fetchSockets, client-type checks) passes through untouched.
 */
function guarded(client: RedisClient, onFailure: (err: unknown) => void): RedisClient {
  const cache = new Map<PropertyKey, unknown>();
  return new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      if (!cache.has(prop)) {
        const fn = (value as (...args: unknown[]) => unknown).bind(target);
        cache.set(prop, FIRE_AND_FORGET.has(String(prop))
          ? (...args: unknown[]) => new Promise((resolve) => resolve(fn(...args))).catch(onFailure)
          : fn);
      }
      return cache.get(prop);
    },
  });
}

function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured URL';
  }
}

async function closeClient(client: RedisClient, graceMs: number): Promise<void> {
  if (!client.isOpen) return;
  // close() waits for queued commands, which never drain while Redis is unreachable.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.close().catch(() => undefined),
    new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); }),
  ]);
  clearTimeout(timer);
  if (client.isOpen) client.destroy();
}

export async function connectRedis(url: string, log: Logger, options: RedisLinkOptions = {}): Promise<RedisLink> {
  const deadline = Date.now() + (options.connectTimeoutMs ?? 10_000);
  let started = false;
  const reconnectStrategy = (retries: number, cause: Error) => {
    if (!started && Date.now() >= deadline) return new Error(`Redis at ${redacted(url)} is unreachable: ${cause.message}`);
    return Math.min(2 ** retries * 50, 2000);
  };
  const pub: RedisClient = createClient({
    url,
    name: options.name,
    // Publishes made while Redis is away are dropped (and counted in the log) rather than queued
    // without bound; sockets resync when they reconnect.
    disableOfflineQueue: true,
    socket: { reconnectStrategy, connectTimeout: 5000 },
  });
  const sub: RedisClient = pub.duplicate({ disableOfflineQueue: false });
  pub.on('error', throttledLog(log, 'redis publisher connection error'));
  sub.on('error', throttledLog(log, 'redis subscriber connection error'));
  sub.on('ready', () => { if (started) log.info('redis subscriber reconnected'); });
  try {
    await Promise.all([pub.connect(), sub.connect()]);
  } catch (err) {
    for (const c of [pub, sub]) if (c.isOpen) c.destroy();
    throw new Error(`Could not connect to Redis at ${redacted(url)}: ${(err as Error).message}`);
  }
  started = true;
  const failed = throttledLog(log, 'redis command failed; cross-process delivery skipped');
  const adapter = createAdapter(guarded(pub, failed), guarded(sub, failed), { key: options.key ?? 'parley', requestsTimeout: 5000 });
  let batch: { sent: boolean; done: Promise<void> } | undefined;
  const flushed = () => {
    if (batch && !batch.sent) return batch.done;
    const b: { sent: boolean; done: Promise<void> } = { sent: false, done: Promise.resolve() };
    b.done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      b.sent = true;
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([
        pub.ping().then(() => undefined, () => undefined),
        new Promise<void>((resolve) => { timer = setTimeout(resolve, FLUSH_WAIT_MS); }),
      ]).finally(() => clearTimeout(timer));
    });
    batch = b;
    return b.done;
  };
  return {
    adapter,
    flushed,
    async close() {
      await Promise.all([closeClient(pub, 2000), closeClient(sub, 2000)]);
    },
  };
}
