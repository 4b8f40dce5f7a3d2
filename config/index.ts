/**
 * Parley configuration: defaults here, overridden by environment variables,
 * validated once at start so a bad value stops the process with a clear message.
 */
import path from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

export const ConfigSchema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  host: Type.String({ minLength: 1 }),
  publicUrl: Type.String({ pattern: '^https?://' }),
  dataDir: Type.String({ minLength: 1 }),
  databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  redisUrl: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  logLevel: Type.Union([
    Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'),
    Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent'),
  ]),
  /** Bearer token for the operator API; the operator API is closed when unset. */
  operatorToken: Type.Optional(Type.String({ minLength: 16 })),
  /** Extra plugin folders or npm package names, loaded after the built-in ones. */
  pluginPaths: Type.Array(Type.String({ minLength: 1 })),
  /** Create the demo tenant on first start. */
  seedDemo: Type.Boolean(),
  loginRateLimit: Type.Object({
    max: Type.Integer({ minimum: 1 }),
    windowMs: Type.Integer({ minimum: 1000 }),
  }),
  uploadMaxBytes: Type.Integer({ minimum: 1024 }),
  socketMaxPayloadBytes: Type.Integer({ minimum: 1024 }),
  /** How often each process stamps the agents and visitors connected to it as present. */
  presenceTickMs: Type.Integer({ minimum: 1000 }),
  /** Not stamped for this long: the process holding them is gone (at least two ticks). */
  presenceGraceMs: Type.Integer({ minimum: 2000 }),
});
export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The environment variable behind each setting and what it must hold, for start-up error messages. */
const SOURCES: Record<string, { env: string; rule: string; secret?: boolean }> = {
  port: { env: 'PORT', rule: 'must be a whole number from 0 to 65535' },
  host: { env: 'HOST', rule: 'must not be empty' },
  publicUrl: { env: 'PARLEY_PUBLIC_URL', rule: 'must start with http:// or https://' },
  dataDir: { env: 'PARLEY_DATA_DIR', rule: 'must not be empty' },
  databaseUrl: { env: 'DATABASE_URL', rule: 'must start with postgres:// or postgresql://', secret: true },
  redisUrl: { env: 'REDIS_URL', rule: 'must start with redis:// or rediss://', secret: true },
  logLevel: { env: 'LOG_LEVEL', rule: `must be one of ${LOG_LEVELS.join(', ')}` },
  operatorToken: { env: 'PARLEY_OPERATOR_TOKEN', rule: 'must be at least 16 characters long', secret: true },
  pluginPaths: { env: 'PARLEY_PLUGINS', rule: 'must be a comma-separated list of plugin folders or package names' },
  seedDemo: { env: 'PARLEY_SEED_DEMO', rule: 'must be true or false' },
  'loginRateLimit.max': { env: 'PARLEY_LOGIN_RATE_MAX', rule: 'must be a whole number of at least 1' },
  'loginRateLimit.windowMs': { env: 'PARLEY_LOGIN_RATE_WINDOW_MS', rule: 'must be a whole number of milliseconds, at least 1000' },
  uploadMaxBytes: { env: 'PARLEY_UPLOAD_MAX_BYTES', rule: 'must be a whole number of bytes, at least 1024' },
  socketMaxPayloadBytes: { env: 'PARLEY_SOCKET_MAX_BYTES', rule: 'must be a whole number of bytes, at least 1024' },
  presenceTickMs: { env: 'PARLEY_PRESENCE_TICK_MS', rule: 'must be a whole number of milliseconds, at least 1000' },
  presenceGraceMs: { env: 'PARLEY_PRESENCE_GRACE_MS', rule: 'must be a whole number of milliseconds, at least twice PARLEY_PRESENCE_TICK_MS' },
};

function problem(field: string, value: unknown): ConfigError {
  const key = Object.keys(SOURCES).find((k) => field === k || field.startsWith(`${k}.`));
  const source = key ? SOURCES[key] : undefined;
  if (!source) return new ConfigError(`invalid configuration: ${field} is invalid`);
  // Secrets (passwords inside URLs, tokens) are never echoed back into logs.
  const shown = source.secret ? '' : `, got ${JSON.stringify(value)}`;
  return new ConfigError(`${source.env} ${source.rule}${shown}`);
}

/** A whole number from the environment; anything else is kept as text so validation names it. */
function intOr(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  return /^-?\d+$/.test(raw.trim()) ? Number(raw) : (raw as unknown as number);
}

function boolOr(raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  return raw as unknown as boolean;
}

/** Reads the configuration from `env` (default: process.env) over the defaults, then validates it. */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const port = intOr(env.PORT, 3000);
  const config: Config = {
    port,
    host: env.HOST || '0.0.0.0',
    publicUrl: env.PARLEY_PUBLIC_URL || `http://localhost:${port}`,
    dataDir: path.resolve(env.PARLEY_DATA_DIR || 'data'),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    logLevel: (env.LOG_LEVEL || 'info') as Config['logLevel'],
    operatorToken: env.PARLEY_OPERATOR_TOKEN || undefined,
    pluginPaths: (env.PARLEY_PLUGINS || '').split(',').map((s) => s.trim()).filter(Boolean),
    seedDemo: boolOr(env.PARLEY_SEED_DEMO, true),
    loginRateLimit: {
      max: intOr(env.PARLEY_LOGIN_RATE_MAX, 10),
      windowMs: intOr(env.PARLEY_LOGIN_RATE_WINDOW_MS, 60_000),
    },
    uploadMaxBytes: intOr(env.PARLEY_UPLOAD_MAX_BYTES, 20 * 1024 * 1024),
    socketMaxPayloadBytes: intOr(env.PARLEY_SOCKET_MAX_BYTES, 64 * 1024),
    presenceTickMs: intOr(env.PARLEY_PRESENCE_TICK_MS, 20_000),
    presenceGraceMs: intOr(env.PARLEY_PRESENCE_GRACE_MS, 60_000),
    ...overrides,
  };
  const firstError = Value.Errors(ConfigSchema, config)[0];
  if (firstError) {
    const pointer = firstError.instancePath.replace(/^\//, '');
    const field = pointer.replace(/\//g, '.');
    const value = pointer.split('/').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], config);
    throw problem(field, value);
  }
  // One late heartbeat must not make a connected agent or visitor look gone.
  if (config.presenceGraceMs < 2 * config.presenceTickMs) throw problem('presenceGraceMs', config.presenceGraceMs);
  return config;
}
