import t, { type Test } from 'tap';
import path from 'node:path';
import { loadConfig, ConfigError } from '../../config/index.ts';

t.test('defaults apply when the environment is empty', async (t) => {
  const c = loadConfig({});
  t.equal(c.port, 3000);
  t.equal(c.logLevel, 'info');
  t.equal(c.databaseUrl, undefined);
  t.equal(c.dataDir, path.resolve('data'));
  t.equal(c.publicUrl, 'http://localhost:3000');
  t.same(c.loginRateLimit, { max: 10, windowMs: 60_000 });
});

t.test('environment variables override the defaults', async (t) => {
  const c = loadConfig({
    PORT: '8080', DATABASE_URL: 'postgresql://u@db:5432/parley', LOG_LEVEL: 'debug', PARLEY_PLUGINS: ' ./a , pkg-b ,',
    PARLEY_SEED_DEMO: 'false', PARLEY_LOGIN_RATE_MAX: '3', REDIS_URL: 'rediss://cache:6380',
  });
  t.equal(c.port, 8080);
  t.equal(c.publicUrl, 'http://localhost:8080');
  t.equal(c.databaseUrl, 'postgresql://u@db:5432/parley');
  t.equal(c.redisUrl, 'rediss://cache:6380');
  t.equal(c.logLevel, 'debug');
  t.same(c.pluginPaths, ['./a', 'pkg-b']);
  t.equal(c.seedDemo, false);
  t.equal(c.loginRateLimit.max, 3);
});

const rejects = (t: Test, env: Record<string, string>, pattern: RegExp) => {
  t.throws(() => loadConfig(env), { constructor: ConfigError, message: pattern }, `${JSON.stringify(env)} -> ${pattern}`);
};

t.test('a bad PORT is named in the message', async (t) => {
  rejects(t, { PORT: 'abc' }, /^PORT must be a whole number from 0 to 65535, got "abc"$/);
  rejects(t, { PORT: '70000' }, /^PORT .*65535/);
  rejects(t, { PORT: '-1' }, /^PORT /);
  rejects(t, { PORT: '80.5' }, /^PORT /);
});

t.test('a bad DATABASE_URL is named and its secret is not echoed', async (t) => {
  rejects(t, { DATABASE_URL: 'mysql://root:hunter2@db/parley' }, /^DATABASE_URL must start with postgres:\/\//);
  t.throws(() => loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/parley' }), { message: /^(?!.*hunter2)/ });
  rejects(t, { DATABASE_URL: 'localhost:5432' }, /^DATABASE_URL /);
});

t.test('a bad LOG_LEVEL lists the allowed values', async (t) => {
  rejects(t, { LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"$/);
});

t.test('other settings name their variables too', async (t) => {
  rejects(t, { REDIS_URL: 'http://cache' }, /^REDIS_URL must start with redis:\/\//);
  rejects(t, { PARLEY_SEED_DEMO: 'maybe' }, /^PARLEY_SEED_DEMO must be true or false/);
  rejects(t, { PARLEY_PUBLIC_URL: 'parley.example.com' }, /^PARLEY_PUBLIC_URL must start with http/);
  rejects(t, { PARLEY_OPERATOR_TOKEN: 'short' }, /^PARLEY_OPERATOR_TOKEN must be at least 16 characters long$/);
  rejects(t, { PARLEY_LOGIN_RATE_MAX: '0' }, /^PARLEY_LOGIN_RATE_MAX /);
  rejects(t, { PARLEY_LOGIN_RATE_WINDOW_MS: 'soon' }, /^PARLEY_LOGIN_RATE_WINDOW_MS /);
  rejects(t, { PARLEY_UPLOAD_MAX_BYTES: '10' }, /^PARLEY_UPLOAD_MAX_BYTES /);
  rejects(t, { PARLEY_SOCKET_MAX_BYTES: 'lots' }, /^PARLEY_SOCKET_MAX_BYTES /);
  rejects(t, { PARLEY_PRESENCE_TICK_MS: '500' }, /^PARLEY_PRESENCE_TICK_MS /);
  rejects(t, { PARLEY_PRESENCE_TICK_MS: '40000' }, /^PARLEY_PRESENCE_GRACE_MS must be .* at least twice PARLEY_PRESENCE_TICK_MS, got 60000$/);
  t.match(loadConfig({ PARLEY_PRESENCE_TICK_MS: '5000', PARLEY_PRESENCE_GRACE_MS: '15000' }), { presenceTickMs: 5000, presenceGraceMs: 15000 });
});

t.test('overrides are validated like the environment', async (t) => {
  t.throws(() => loadConfig({}, { port: 99999 }), { message: /^PORT / });
  t.throws(() => loadConfig({}, { pluginPaths: [''] }), { message: /^PARLEY_PLUGINS / });
});
