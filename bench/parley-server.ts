/**
 * A Parley process for the benchmarks and fault tests: builds the app from the environment
 * (DATABASE_URL, or PGlite in PARLEY_DATA_DIR, or PGlite in memory with BENCH_MEMORY=1), listens on
 * a free port (or BENCH_PORT, to come back on the same one after a restart) and prints `{"ready":url,"pid":n}` on stdout. Logs go to stderr.
 */
import pino from 'pino';
import { loadConfig } from '../config/index.ts';
import { buildApp } from '../core/app.ts';
import { openDatabase } from '../core/db/connect.ts';

const config = loadConfig(process.env, { port: Number(process.env.BENCH_PORT ?? 0), host: '127.0.0.1', seedDemo: false, pluginPaths: [], logLevel: 'warn' });
const db = !config.databaseUrl && process.env.BENCH_MEMORY === '1' ? await openDatabase({}) : undefined;
const app = await buildApp({ config, db, logger: pino({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' }, pino.destination(2)) });
const url = await app.listen();
process.stdout.write(`${JSON.stringify({ ready: url, pid: process.pid })}\n`);
process.once('SIGTERM', () => {
  app.close().then(() => process.exit(0), () => process.exit(1));
});
