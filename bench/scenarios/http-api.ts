/**
 * Scenario 3, the HTTP API: history search (sessions list, exact session ID, visitor name) on a
 * tenant seeded with plain SQL, against two same-run baselines in a bare fastify process: a route
 * that does nothing and a route running the same SQL with plain `pg`. PostgreSQL only: PGlite
 * serves one process, so the plain-pg baseline could not read Parley's data.
 */
import path from 'node:path';
import pg from 'pg';
import { BENCH_DIR, startChild } from '../lib/child.ts';
import { expectJson } from '../lib/http.ts';
import { httpLoad, type HttpLoadResult } from '../lib/http-load.ts';
import { operator, startParleyServer } from '../lib/parley.ts';
import { cores, ratio, type RunOptions, type ScenarioResult } from '../lib/scenario.ts';

const QUICK = { sessions: 2_000, messagesPerSession: 10, seconds: 3, concurrency: 8, lightSeconds: 2 };
const FULL = { sessions: 100_000, messagesPerSession: 10, seconds: 15, concurrency: 16, lightSeconds: 10 };
/**
 * `concurrency` workers on 2 cores keep the server saturated, so their p99 is mostly time spent
 * queueing (Little's law: 16 / req/s). The latency of a request itself is measured apart, with
 * this many workers: a few agents searching at once.
 */
const LIGHT_CONCURRENCY = 2;

async function seed(url: string, tenantId: string, channelId: string, groupId: string, sizes: typeof QUICK) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`insert into conversations_sessions (tenant_id, code, visitor_id, visitor_name, channel_id, skill_group_id, state, last_seq, message_count, created_at, queued_at, closed_at, closed_by)
      select $1, 'S-20261101-' || lpad(i::text, 6, '0'), gen_random_uuid(), 'Visitor ' || i, $2, $3, 'closed', $4, $4,
             now() - (i || ' minutes')::interval, now() - (i || ' minutes')::interval, now() - (i || ' minutes')::interval + interval '5 minutes', 'agent'
      from generate_series(1, $5) as i`, [tenantId, channelId, groupId, sizes.messagesPerSession, sizes.sessions]);
    await c.query(`insert into conversations_messages (tenant_id, session_id, seq, sender_kind, type, body, created_at)
      select s.tenant_id, s.id, n, 'visitor', 'text', jsonb_build_object('text', 'seeded message ' || n), s.created_at
      from conversations_sessions s cross join generate_series(1, $2) as n where s.tenant_id = $1 and s.code like 'S-20261101-%'`, [tenantId, sizes.messagesPerSession]);
    // As a database in service would be: vacuumed (index-only scans can skip the heap) and analysed.
    await c.query('vacuum analyze');
  } finally {
    await c.end();
  }
}

export async function httpApi(o: RunOptions, log: (s: string) => void): Promise<ScenarioResult> {
  if (!o.databaseUrl) {
    return { name: 'http-api', figures: {}, baseline: null, ratio: {}, cores: cores(), database: 'pglite', notes: ['skipped: needs DATABASE_URL (the plain-pg baseline must read the same data; PGlite serves one process)'] };
  }
  const sizes = o.quick ? QUICK : FULL;
  const server = await startParleyServer({ databaseUrl: o.databaseUrl });
  try {
    const { id: tenantId } = await operator(server.url, 'POST', '/api/operator/tenants', { slug: 'api', name: 'api', edition: 'standard', seats: 10, addons: [] });
    await operator(server.url, 'POST', '/api/operator/tenants/api/members', { email: 'admin@api.test', name: 'Admin', password: 'correct horse battery', roleKey: 'admin' });
    const { token } = await expectJson(server.url, 'POST', '/api/auth/login', { tenant: 'api', email: 'admin@api.test', password: 'correct horse battery' });
    // One real session makes the web channel and tells us the default skill group.
    const v = await expectJson(server.url, 'POST', '/api/visitor/session', { tenant: 'api' });
    const { session } = await expectJson(server.url, 'POST', '/api/conversations/visitor/sessions', {}, { token: v.token });
    const real = await expectJson(server.url, 'GET', `/api/conversations/sessions/${session.id}`, undefined, { token });
    const c = new pg.Client({ connectionString: server.db!.url });
    await c.connect();
    const { rows } = await c.query('select channel_id, skill_group_id from conversations_sessions where id = $1', [real.id]);
    await c.end();
    const t = Date.now();
    await seed(server.db!.url, tenantId, rows[0].channel_id, rows[0].skill_group_id, sizes);
    log(`http-api: seeded ${sizes.sessions} sessions and ${sizes.sessions * sizes.messagesPerSession} messages in ${Date.now() - t} ms`);

    const baseline = await startChild(path.join(BENCH_DIR, 'baseline-api.ts'), { DATABASE_URL: server.db!.url });
    try {
      const code = 'S-20261101-000777';
      const name = 'visitor 1234';
      const cases: [string, string, string][] = [
        ['list', '/api/conversations/sessions', ''],
        ['code', `/api/conversations/sessions?code=${code}`, `&code=${code}`],
        ['visitorName', `/api/conversations/sessions?visitorName=${encodeURIComponent(name)}`, `&visitorName=${encodeURIComponent(name)}`],
      ];
      const load = (url: string, withToken = false) => httpLoad(url, { seconds: sizes.seconds, concurrency: sizes.concurrency, token: withToken ? token : undefined });
      const light = (url: string, withToken = false) => httpLoad(url, { seconds: sizes.lightSeconds, concurrency: LIGHT_CONCURRENCY, token: withToken ? token : undefined });
      const figures: Record<string, unknown> = {};
      const base: Record<string, unknown> = {};
      const ratios: Record<string, number | null> = {};
      const noop = await load(`${baseline.ready.ready}/noop`);
      base.noopRps = noop.rps;
      base.noopP99 = noop.latency.p99;
      for (const [key, parleyPath, query] of cases) {
        const p: HttpLoadResult = await load(`${server.url}${parleyPath}`, true);
        const b: HttpLoadResult = await load(`${baseline.ready.ready}/sessions?tenant=${tenantId}${query}`);
        const pLight: HttpLoadResult = await light(`${server.url}${parleyPath}`, true);
        const bLight: HttpLoadResult = await light(`${baseline.ready.ready}/sessions?tenant=${tenantId}${query}`);
        figures[`${key}Rps`] = p.rps;
        figures[`${key}P99`] = p.latency.p99;
        figures[`${key}Errors`] = p.errors + pLight.errors;
        figures[`${key}P99Light`] = pLight.latency.p99;
        base[`${key}Rps`] = b.rps;
        base[`${key}P99`] = b.latency.p99;
        base[`${key}Errors`] = b.errors + bLight.errors;
        base[`${key}P99Light`] = bLight.latency.p99;
        ratios[`${key}Rps`] = ratio(p.rps, b.rps);
        ratios[`${key}P99`] = ratio(p.latency.p99, b.latency.p99);
        ratios[`${key}P99Light`] = ratio(pLight.latency.p99, bLight.latency.p99);
        log(`  ${key}: parley ${p.rps} req/s p99 ${p.latency.p99} ms (${p.errors} errors); fastify+pg ${b.rps} req/s p99 ${b.latency.p99} ms; noop ${noop.rps} req/s; with ${LIGHT_CONCURRENCY} workers p99 ${pLight.latency.p99} / ${bLight.latency.p99} ms`);
      }
      return {
        name: 'http-api',
        figures: { sessions: sizes.sessions, messages: sizes.sessions * sizes.messagesPerSession, concurrency: sizes.concurrency, lightConcurrency: LIGHT_CONCURRENCY, ...figures },
        baseline: base,
        ratio: ratios,
        cores: cores(),
        database: 'postgres',
        notes: ['the load loop (fetch) runs in the bench process itself and shares the 2 cores with the server'],
      };
    } finally {
      await baseline.kill();
    }
  } finally {
    await server.stop();
  }
}
