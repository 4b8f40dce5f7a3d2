/**
 * PostgreSQL restarted in the middle of a message burst: a private server (never the machine's
 * shared one) is restarted with `pg_ctl restart -m immediate` (a crash, as far as clients can
 * tell) while visitors send. Parley must get a working pool again; clients retry what was not
 * acknowledged with the same clientMsgId. By counting: every acknowledged message is stored once,
 * none twice, and all are stored in the end.
 */
import t from 'tap';
import { createDatabase } from '../../bench/lib/database.ts';
import { operator, startParleyServer, type ParleyServer } from '../../bench/lib/parley.ts';
import { burstUnderWay, checkStored, waitFor } from './burst.ts';
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts';
import type { VisitorClient } from './visitor-client.ts';

const VISITORS = 5;
const PER_VISITOR = 40;
const skip = !process.env.DATABASE_URL
  ? 'DATABASE_URL is not set: this test runs in the PostgreSQL pass of CI (on its own private server)'
  : privatePostgresUnavailable() ?? false;
t.setTimeout(420_000);

t.test('a PostgreSQL restart mid-burst loses no acknowledged message and stores none twice', { skip }, async (t) => {
  let pg: PrivatePostgres | null = null;
  let server: ParleyServer | null = null;
  const clients: VisitorClient[] = [];
  t.teardown(async () => {
    for (const c of clients) c.close();
    await server?.child.kill();
    pg?.stop();
  });
  pg = await startPrivatePostgres();
  const db = await createDatabase(pg.url, 'parley_t_pgrestart');
  server = await startParleyServer({ env: { DATABASE_URL: db.url } });
  const url = server.url;
  await operator(url, 'POST', '/api/operator/tenants', { slug: 'pgr', name: 'pgr', edition: 'standard', seats: 5, addons: [] });
  const burst = await burstUnderWay(url, clients, { tenant: 'pgr', visitors: VISITORS, perVisitor: PER_VISITOR });
  pg.restart('immediate');
  t.comment(`acknowledged when PostgreSQL restarted: ${burst.ackedCount()} of ${burst.total}`);

  await waitFor('every message acknowledged after the restart', () => burst.ackedCount() === burst.total, 120_000);
  t.equal(server.child.child.exitCode, null, 'Parley kept running through the restart');
  await checkStored(t, url, clients, burst);
});
