/**
 * Runs the real `parley` CLI as a child process against a database of its own: a PGlite folder in
 * a temp directory, or a fresh database on the server named by DATABASE_URL. The test process
 * opens the same database only between runs (PGlite serves one process at a time).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import { loadConfig, type Config } from '../../config/index.ts';
import { loadPluginDescriptors, migrateAll, ROOT_DIR } from '../../core/app.ts';
import { databaseTarget, openDatabase, type Database } from '../../core/db/connect.ts';
import { freshDatabase } from '../helpers/database.ts';

export const FIXTURE_PLUGINS = ['cli-addon', 'cli-extra'].map((id) => path.join(ROOT_DIR, 'test/cli/fixtures', id));
const BIN = path.join(ROOT_DIR, 'bin/parley.js');

/**
 * Every CLI run starts a process and opens the database (seconds each, more on a busy machine),
 * so these files get more time than tap's default per-file limit.
 */
export const RUN_TIMEOUT_MS = 600_000;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliHarness {
  run(...args: string[]): Promise<CliResult>;
  /** The configuration the CLI sees, for building the server in the test process. */
  config: Config;
  /** Opens the CLI's database in the test process; close it before the next run on PGlite. */
  open(): Promise<Database>;
  /** Migrates the database in the test process, as the server does at start, then runs `setup` on it. */
  prepare(setup?: (db: Database) => Promise<void>): Promise<void>;
  dataDir: string;
}

export async function cliHarness(t: Test): Promise<CliHarness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-'));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.tmpdir(),
    PARLEY_DATA_DIR: dataDir,
    PARLEY_PLUGINS: FIXTURE_PLUGINS.join(','),
  };
  if (process.env.DATABASE_URL) {
    const db = await freshDatabase();
    t.teardown(() => db.close());
    env.DATABASE_URL = db.url!;
  }
  const config = loadConfig(env, { logLevel: 'silent', seedDemo: false, port: 0, host: '127.0.0.1' });
  const run = (...args: string[]) =>
    new Promise<CliResult>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const open = () => openDatabase(databaseTarget(config));
  const prepare = async (setup?: (db: Database) => Promise<void>) => {
    const db = await open();
    try {
      await migrateAll(db, loadPluginDescriptors(config));
      await setup?.(db);
    } finally {
      await db.close();
    }
  };
  return { run, config, dataDir, open, prepare };
}

/** Asserts the CLI failed with exactly one `parley: ...` line on stderr and nothing on stdout. */
export function failed(t: Test, r: CliResult, code: 1 | 2, pattern: RegExp): void {
  t.equal(r.code, code, `exit code ${code}`);
  t.equal(r.stdout, '', 'nothing on stdout');
  t.match(r.stderr, /^parley: [^\n]+\n$/, 'one line on stderr');
  t.match(r.stderr, pattern);
}

/** Asserts the CLI succeeded quietly on stderr. */
export function succeeded(t: Test, r: CliResult): void {
  t.equal(r.code, 0, `exit code 0 (stderr: ${r.stderr.trim()})`);
  t.equal(r.stderr, '', 'nothing on stderr');
}
