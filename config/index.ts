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
  publicUrl: Type.String({ minLength: 1 }),
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
});
export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function intOr(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  return Number(raw);
}

function boolOr(raw: string | undefined, name: string, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** Reads the configuration from `env` (default: process.env) over the defaults, then validates it. */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const port = intOr(env.PORT, 'PORT', 3000);
  const host = env.HOST || '0.0.0.0';
  const config: Config = {
    port,
    host,
    publicUrl: env.PARLEY_PUBLIC_URL || `http://localhost:${port}`,
    dataDir: path.resolve(env.PARLEY_DATA_DIR || 'data'),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    logLevel: (env.LOG_LEVEL || 'info') as Config['logLevel'],
    operatorToken: env.PARLEY_OPERATOR_TOKEN || undefined,
    pluginPaths: (env.PARLEY_PLUGINS || '').split(',').map((s) => s.trim()).filter(Boolean),
    seedDemo: boolOr(env.PARLEY_SEED_DEMO, 'PARLEY_SEED_DEMO', true),
    loginRateLimit: {
      max: intOr(env.PARLEY_LOGIN_RATE_MAX, 'PARLEY_LOGIN_RATE_MAX', 10),
      windowMs: intOr(env.PARLEY_LOGIN_RATE_WINDOW_MS, 'PARLEY_LOGIN_RATE_WINDOW_MS', 60_000),
    },
    uploadMaxBytes: intOr(env.PARLEY_UPLOAD_MAX_BYTES, 'PARLEY_UPLOAD_MAX_BYTES', 20 * 1024 * 1024),
    socketMaxPayloadBytes: intOr(env.PARLEY_SOCKET_MAX_BYTES, 'PARLEY_SOCKET_MAX_BYTES', 64 * 1024),
    ...overrides,
  };
  const firstError = Value.Errors(ConfigSchema, config)[0];
  if (firstError) {
    const field = firstError.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'config';
    throw new ConfigError(`invalid configuration: ${field} ${firstError.message}`);
  }
  return config;
}
