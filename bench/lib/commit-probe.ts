/**
 * The floor under any message path that stores before it acknowledges: one-row inserts, each its
 * own committed transaction, at a steady rate on the bench database. On PostgreSQL every commit
 * waits for the WAL to reach the disk, so this shows what the disk (and the machine) allow.
 */
import pg from 'pg';
import { summarize, type Summary } from './stats.ts';

export async function commitProbe(url: string, rate: number, seconds: number): Promise<Summary> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('create table bench_commit_probe (id bigserial primary key, body jsonb not null, created_at timestamptz not null default now())');
    const ms: number[] = [];
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      const t0 = performance.now();
      await c.query(`insert into bench_commit_probe (body) values ('{"text":"probe"}')`);
      ms.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 / rate - (performance.now() - t0))));
    }
    await c.query('drop table bench_commit_probe');
    return summarize(ms);
  } finally {
    await c.end();
  }
}
