/**
 * `npm start` runs the esbuild bundle in dist/server (bin/start.js). Checked here with real
 * processes: the bundle is rebuilt when a source changed, built-in plugins and migrations load from
 * the bundle with no TypeScript loader in the process, and a third-party plugin shipped as
 * TypeScript still loads (tsx is registered for it).
 */
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_DIR } from '../../core/app.ts';
import { freePort } from '../helpers/free-port.ts';
import { spawnReady } from '../helpers/ready-child.ts';

const START = path.join(ROOT_DIR, 'bin/start.js');
const SAMPLE_NOTES = path.join(ROOT_DIR, 'test/fixtures/plugins/sample-notes');

function buildIsCurrent(): boolean {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', "const m = await import('./bin/server-build.js'); console.log(m.currentServerBuild() !== null)"], { cwd: ROOT_DIR, encoding: 'utf8' });
  return out.trim() === 'true';
}

/** Runs `node bin/start.js` until it prints its ready line; returns its URL, output so far and a stop function. */
async function start(t: Test, env: Record<string, string>) {
  const port = await freePort();
  const { child, stdout, stderr, exited } = await spawnReady(
    t,
    process.execPath,
    [START],
    {
      cwd: ROOT_DIR,
      // No loader inherited from the test runner: the process must run on the bundle alone.
      env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: '', REDIS_URL: '', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
      timeoutMs: 120_000,
    },
    (out) => (/Parley is (ready|running)/.test(out) ? true : undefined),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    out: stdout,
    err: stderr,
    async stop() {
      child.kill('SIGTERM');
      return (await exited).code;
    },
  };
}

t.test('npm start rebuilds a stale bundle and runs Parley from it', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bundle-'));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  // A source newer than the build makes it stale; the original time is put back afterwards.
  const source = path.join(ROOT_DIR, 'plugins/customers/server.ts');
  const { atime, mtime } = fs.statSync(source);
  t.teardown(() => fs.utimesSync(source, atime, mtime));
  execFileSync(process.execPath, [path.join(ROOT_DIR, 'bin/server-build.js')], { cwd: ROOT_DIR });
  t.ok(buildIsCurrent(), 'a fresh build is current');
  await new Promise((resolve) => setTimeout(resolve, 20));
  const edited = new Date();
  fs.utimesSync(source, edited, edited);
  t.notOk(buildIsCurrent(), 'a source changed after the build makes it stale');

  const server = await start(t, { PARLEY_DATA_DIR: dataDir });
  t.ok(buildIsCurrent(), 'starting rebuilt the bundle first');
  t.match(server.out(), /Tenant: demo\s+Email: admin@demo\.parley\s+Password: \S+/, 'the first start seeds the demo tenant');
  const health = await fetch(`${server.url}/healthz`);
  t.equal(health.status, 200);
  const widget = await fetch(`${server.url}/api/conversations/public/demo/widget-config`);
  t.equal(widget.status, 200, 'a built-in plugin route answers (its entry came from the bundle)');
  const missing = await fetch(`${server.url}/api/sample-notes/public/demo/greeting`);
  t.equal(missing.status, 404, 'no third-party plugin configured');
  t.equal(await server.stop(), 0, 'SIGTERM shuts down cleanly');
});

t.test('a third-party plugin shipped as TypeScript loads under the bundle', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bundle-'));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const server = await start(t, { PARLEY_DATA_DIR: dataDir, PARLEY_PLUGINS: SAMPLE_NOTES });
  const res = await fetch(`${server.url}/api/sample-notes/public/demo/greeting`);
  t.equal(res.status, 200, `the plugin's route answers: ${server.err()}`);
  t.match(await res.json(), { greeting: String });
  t.equal(await server.stop(), 0);
});
