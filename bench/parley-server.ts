/**
 * A Parley process for the benchmarks and fault tests: builds the app from the environment
 * (DATABASE_URL, or PGlite in PARLEY_DATA_DIR, or PGlite in memory with BENCH_MEMORY=1), listens on
 * a free port (or BENCH_PORT, to come back on the same one after a restart) and prints `{"ready":url,"pid":n}` on stdout. Logs go to stderr.
 * With BENCH_COMMANDS=1 it also answers JSON-line commands on stdin (lib/child.ts serveCommands):
 * `{cmd:'sql', sql, bindings?}` runs SQL on the app's own database (the only way into an in-memory
 * PGlite), `{cmd:'memory'}` collects garbage (with --expose-gc) and answers process.memoryUsage(),
 * `{cmd:'stats'}` answers event-loop delay and GC pauses since the last `stats`.
 */
import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import pino from 'pino';
import { loadConfig } from '../config/index.ts';
import { buildApp } from '../core/app.ts';
import { openDatabase } from '../core/db/connect.ts';
import { serveCommands } from './lib/child.ts';

const config = loadConfig(process.env, { port: Number(process.env.BENCH_PORT ?? 0), host: '127.0.0.1', seedDemo: false, pluginPaths: [], logLevel: 'warn' });
const db = !config.databaseUrl && process.env.BENCH_MEMORY === '1' ? await openDatabase({}) : undefined;
const app = await buildApp({ config, db, logger: pino({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' }, pino.destination(2)) });
const url = await app.listen();
if (process.env.BENCH_COMMANDS === '1') {
  // What keeps this process from answering, between two `stats` commands.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let gcPauses: number[] = [];
  let majorPauses: number[] = [];
  const isMajor = (e: PerformanceEntry) => (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcPauses.push(e.duration);
      if (isMajor(e)) majorPauses.push(e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  serveCommands(async (cmd) => {
    if (cmd.cmd === 'stats') {
      const ms = (ns: number) => Math.round(ns / 1e4) / 100;
      const stats = {
        loopDelayP99Ms: ms(loop.percentile(99)), loopDelayMaxMs: ms(loop.max),
        gcCount: gcPauses.length, gcTotalMs: Math.round(gcPauses.reduce((a, b) => a + b, 0)), gcMaxMs: Math.round(Math.max(0, ...gcPauses)),
        gcMajorCount: majorPauses.length, gcMajorMaxMs: Math.round(Math.max(0, ...majorPauses)),
      };
      loop.reset();
      gcPauses = [];
      majorPauses = [];
      return stats;
    }
    if (cmd.cmd === 'sql') {
      const t0 = performance.now();
      const result = await app.db.knex.raw(cmd.sql, cmd.bindings ?? []);
      const rows = (result as { rows?: unknown[] }).rows ?? [];
      return { rows: rows.slice(0, 100), ms: Math.round(performance.now() - t0) };
    }
    if (cmd.cmd === 'memory') {
      const gc = (globalThis as { gc?: () => void }).gc;
      for (let i = 0; i < 3; i++) {
        gc?.();
        await new Promise((r) => setTimeout(r, 300));
      }
      return { ...process.memoryUsage(), gc: !!gc };
    }
    throw new Error(`unknown command ${cmd.cmd}`);
  });
}
process.stdout.write(`${JSON.stringify({ ready: url, pid: process.pid })}\n`);
process.once('SIGTERM', () => {
  app.close().then(() => process.exit(0), () => process.exit(1));
});
