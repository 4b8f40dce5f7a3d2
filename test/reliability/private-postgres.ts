/**
 * A private PostgreSQL server in a temp folder on a free port, for tests that restart the
 * database. It never touches the machine's shared server. Needs the PostgreSQL binaries and, when
 * running as root, the `postgres` user (initdb refuses root).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/free-port.ts';

export interface PrivatePostgres { url: string; restart(mode: 'fast' | 'immediate'): void; stop(): void }

function binDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin/pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0]!, 'bin') : null;
}

/** Why a private server cannot be made here, or null when it can. */
export function privatePostgresUnavailable(): string | null {
  if (!binDir()) return 'no PostgreSQL binaries under /usr/lib/postgresql/*/bin';
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['postgres'], { stdio: 'ignore' });
    } catch {
      return 'running as root without a postgres user (initdb refuses root)';
    }
  }
  return null;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir()!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  fs.chmodSync(dir, 0o777);
  const run = (tool: string, args: string[]) => {
    const cmd = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]] as const : [path.join(bin, tool), args] as const;
    execFileSync(cmd[0], [...cmd[1]], { stdio: 'pipe', timeout: 120_000 });
  };
  const port = await freePort();
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=50`;
  const ctl = (...args: string[]) => run('pg_ctl', ['-D', data, '-w', '-t', '60', '-l', path.join(dir, 'log'), ...args]);
  ctl('-o', opts, 'start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart(mode) {
      ctl('-m', mode, '-o', opts, 'restart');
    },
    stop() {
      try {
        ctl('-m', 'immediate', 'stop');
      } catch { /* already stopped */ }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
