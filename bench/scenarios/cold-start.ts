/**
 * Cold start: time from spawning `node --import tsx core/main.ts` (what `npm start` runs) until
 * /healthz answers, on a fresh PGlite data folder and again on the folder the first start left;
 * baseline: a bare fastify app answering /healthz, spawned the same way.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR, ROOT } from '../lib/child.ts';
import { cores, ratio, type RunOptions, type ScenarioResult } from '../lib/scenario.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Spawns `script`, polls /healthz every 25 ms, returns ms to the first 200, then stops it. */
async function timeToHealthy(script: string, env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => { err = (err + d).slice(-4000); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}: ${err}`);
      if (performance.now() - t0 > 180_000) throw new Error(`${script}: no /healthz within 180 s`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.ok) return Math.round(performance.now() - t0);
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

export async function coldStart(o: RunOptions, log: (s: string) => void): Promise<ScenarioResult> {
  const runs = o.quick ? 1 : 3;
  const main = path.join(ROOT, 'core/main.ts');
  const fresh: number[] = [];
  const existing: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cold-'));
    try {
      fresh.push(await timeToHealthy(main, { PARLEY_DATA_DIR: dir }));
      existing.push(await timeToHealthy(main, { PARLEY_DATA_DIR: dir }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    bare.push(await timeToHealthy(path.join(BENCH_DIR, 'baseline-healthz.ts'), {}));
    log(`cold-start run ${i + 1}: fresh ${fresh[i]} ms, existing ${existing[i]} ms, bare fastify ${bare[i]} ms`);
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  const f = { freshDataDirMs: median(fresh), existingDataDirMs: median(existing) };
  const b = median(bare);
  return {
    name: 'cold-start',
    figures: f,
    baseline: { freshDataDirMs: b, existingDataDirMs: b },
    ratio: { freshDataDirMs: ratio(f.freshDataDirMs, b), existingDataDirMs: ratio(f.existingDataDirMs, b) },
    cores: cores(),
    database: 'pglite',
    notes: [`median of ${runs} run(s); the fresh start includes migrations and the demo seed, as a first \`npm start\` does; target < 3000 ms on PGlite`],
  };
}
