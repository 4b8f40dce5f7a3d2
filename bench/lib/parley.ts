/** Starts bench/parley-server.ts on its own database and prepares a tenant through the operator API. */
import path from 'node:path';
import { BENCH_DIR, startChild, type Child } from './child.ts';
import { createDatabase, type BenchDatabase } from './database.ts';
import { expectJson } from './http.ts';

export const OPERATOR_TOKEN = 'bench-operator-token-0123456789';

export interface ParleyServer { child: Child; url: string; db: BenchDatabase | null; stop(): Promise<void> }

/** `nodeArgs`: e.g. ['--cpu-prof'] to profile the server (BENCH_PROFILE_DIR profiles every child process). `databaseUrl`: a server URL (a fresh database is made on it); else PGlite (`dataDir`, or in memory). */
export async function startParleyServer(opts: { databaseUrl?: string; dataDir?: string; env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<ParleyServer> {
  const db = opts.databaseUrl ? await createDatabase(opts.databaseUrl) : null;
  const env: Record<string, string | undefined> = {
    PARLEY_OPERATOR_TOKEN: OPERATOR_TOKEN,
    PARLEY_LOGIN_RATE_MAX: '100000',
    DATABASE_URL: db?.url ?? '',
    REDIS_URL: '',
    BENCH_MEMORY: opts.dataDir || db ? '0' : '1',
    PARLEY_DATA_DIR: opts.dataDir ?? '',
    ...opts.env,
  };
  let child: Child;
  try {
    child = await startChild(path.join(BENCH_DIR, 'parley-server.ts'), env, { nodeArgs: opts.nodeArgs });
  } catch (err) {
    await db?.drop();
    throw err;
  }
  return {
    child,
    url: child.ready.ready,
    db,
    async stop() {
      await child.kill('SIGTERM');
      await db?.drop();
    },
  };
}

export async function operator(url: string, method: string, route: string, body?: unknown) {
  return expectJson(url, method, route, body, { token: OPERATOR_TOKEN });
}

/** A tenant with `agents` agents whose capacity covers `visitors` sessions; returns their tokens. */
export async function seedTenant(url: string, slug: string, agents: number, visitors: number) {
  await operator(url, 'POST', '/api/operator/tenants', { slug, name: slug, edition: 'standard', seats: agents + 5, addons: [] });
  const capacity = Math.min(100, Math.ceil(visitors / agents) + 2);
  const out: { id: string; token: string }[] = [];
  for (let i = 0; i < agents; i++) {
    const email = `agent${i}@${slug}.test`;
    const password = 'correct horse battery';
    const { id } = await operator(url, 'POST', `/api/operator/tenants/${slug}/members`, { email, name: `Agent ${i}`, password, roleKey: 'agent' });
    const { token } = await expectJson(url, 'POST', '/api/auth/login', { tenant: slug, email, password });
    await expectJson(url, 'PUT', '/api/conversations/agent/me', { capacity }, { token });
    out.push({ id, token });
  }
  return out;
}
