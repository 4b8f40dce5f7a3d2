/**
 * The HTTP API baselines, in one bare fastify process: `/noop` (the ceiling) and `/sessions`
 * running the same SQL as Parley's history search (the page with its joins, then, when the page is
 * full, a count up to 10,001) with plain `pg` on DATABASE_URL. Takes the tenant id as `?tenant=`; no auth. Prints `{"ready":url}`.
 */
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify();
app.get('/noop', async () => ({}));
app.get('/sessions', async (req) => {
  const q = req.query as { tenant: string; code?: string; visitorName?: string };
  const where = ['s.tenant_id = $1'];
  const params: unknown[] = [q.tenant];
  if (q.code) { params.push(q.code.trim().toUpperCase()); where.push(`s.code = $${params.length}`); }
  if (q.visitorName) { params.push(`%${q.visitorName.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`); where.push(`lower(s.visitor_name) like $${params.length} escape '\\'`); }
  const items = await pool.query(
    `select s.*, g.name as skill_group_name, c.kind as channel_kind from conversations_sessions as s inner join conversations_skill_groups as g on g.id = s.skill_group_id inner join conversations_channels as c on c.id = s.channel_id where ${where.join(' and ')} order by s.created_at desc, s.id desc limit 20 offset 0`,
    params,
  );
  let total = items.rows.length;
  if (total === 20) {
    const counted = await pool.query(`select count(*) as n from (select 1 from conversations_sessions as s where ${where.join(' and ')} limit 10001) as matching`, params);
    total = Number(counted.rows[0].n);
  }
  return { items: items.rows, total: Math.min(total, 10_000), totalCapped: total > 10_000, page: 1, pageSize: 20 };
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ ready: address, pid: process.pid })}\n`);
process.once('SIGTERM', () => { void app.close().then(() => pool.end()).then(() => process.exit(0)); });
