/**
 * Cold start: time from spawning `npm start` until /healthz answers, on a fresh PGlite data folder
 * and again on the folder the first start left; also `node bin/start.js` (what `npm start` runs,
 * without npm's own start-up) on that folder. Baseline: a bare fastify app answering /healthz,
 * plain JavaScript started with `node`.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR, ROOT } from '../lib/child.ts';
import { cores, ratio, type RunOptions, type ScenarioResult } from '../lib/scenario.ts';
import { freePort } from '../../test/helpers/free-port.ts';

/** Spawns `command`, polls /healthz every 25 ms, returns ms to the first 200, then stops it. */
async function timeToHealthy(command: string[], env: Record<string, string>): Promise<number> {
  const [file, ...args] = command as [string, ...string[]];
  const what = command.join(' ');
  const port = await freePort();
  const t0 = performance.now();
  // npm runs the script in a shell; its own process group lets the stop reach the server too.
  const child = spawn(file, args, {
    detached: true,
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => { err = (err + d).slice(-4000); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}: ${err}`);
      if (performance.now() - t0 > 180_000) throw new Error(`${what}: no /healthz within 180 s`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.ok) return Math.round(performance.now() - t0);
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

export async function coldStart(o: RunOptions, log: (s: string) => void): Promise<ScenarioResult> {
  const runs = o.quick ? 1 : 3;
  // The server bundle is built now, so that no run below includes a build.
  execFileSync(process.execPath, [path.join(ROOT, 'bin/server-build.js')], { cwd: ROOT, stdio: 'inherit' });
  const npmStart = ['npm', 'start', '--silent'];
  const nodeStart = [process.execPath, path.join(ROOT, 'bin/start.js')];
  const fresh: number[] = [];
  const existing: number[] = [];
  const existingNode: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cold-'));
    try {
      fresh.push(await timeToHealthy(npmStart, { PARLEY_DATA_DIR: dir }));
      existing.push(await timeToHealthy(npmStart, { PARLEY_DATA_DIR: dir }));
      existingNode.push(await timeToHealthy(nodeStart, { PARLEY_DATA_DIR: dir }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    bare.push(await timeToHealthy([process.execPath, path.join(BENCH_DIR, 'baseline-healthz.js')], {}));
    log(`cold-start run ${i + 1}: npm start fresh ${fresh[i]} ms, existing ${existing[i]} ms; node bin/start.js existing ${existingNode[i]} ms; bare fastify ${bare[i]} ms`);
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  const f = { freshDataDirMs: median(fresh), existingDataDirMs: median(existing), existingWithoutNpmMs: median(existingNode) };
  const b = median(bare);
  return {
    name: 'cold-start',
    figures: f,
    baseline: { freshDataDirMs: b, existingDataDirMs: b, existingWithoutNpmMs: b },
    ratio: { freshDataDirMs: ratio(f.freshDataDirMs, b), existingDataDirMs: ratio(f.existingDataDirMs, b), existingWithoutNpmMs: ratio(f.existingWithoutNpmMs, b) },
    cores: cores(),
    database: 'pglite',
    notes: [
      `median of ${runs} run(s); \`npm start\` runs the server bundle (dist/server); the fresh start includes creating the database, migrations and the demo seed, as a first \`npm start\` does; target < 3000 ms on PGlite`,
    ],
  };
}
