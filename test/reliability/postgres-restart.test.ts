/**
 * PostgreSQL restarted in the middle of a message burst: a private server (never the machine's
 * shared one) is restarted with `pg_ctl restart -m immediate` (a crash, as far as clients can
 * tell) while visitors send. Parley must get a working pool again; clients retry what was not
 * acknowledged with the same clientMsgId. By counting: every acknowledged message is stored once,
 * none twice, and all are stored in the end.
 */
import t from 'tap';
import { createDatabase } from '../../bench/lib/database.ts';
import { expectJson } from '../../bench/lib/http.ts';
import { operator, startParleyServer, type ParleyServer } from '../../bench/lib/parley.ts';
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts';
import { VisitorClient, type StoredMessage } from './visitor-client.ts';

const VISITORS = 5;
const PER_VISITOR = 40;
const skip = !process.env.DATABASE_URL
  ? 'DATABASE_URL is not set: this test runs in the PostgreSQL pass of CI (on its own private server)'
  : privatePostgresUnavailable() ?? false;
t.setTimeout(420_000);

const waitFor = async (what: string, ok: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

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
  const tokens: string[] = [];
  for (let i = 0; i < VISITORS; i++) {
    const v = await expectJson(url, 'POST', '/api/visitor/session', { tenant: 'pgr' });
    const { session } = await expectJson(url, 'POST', '/api/conversations/visitor/sessions', {}, { token: v.token });
    tokens.push(v.token);
    clients.push(new VisitorClient(url, v.token, session.id));
  }
  await waitFor('visitor sockets', () => clients.every((c) => c.socket.connected), 30_000);

  for (let n = 0; n < PER_VISITOR; n++) for (const c of clients) c.send(`message ${n}`);
  const total = VISITORS * PER_VISITOR;
  const ackedCount = () => clients.reduce((a, c) => a + c.acked.size, 0);
  await waitFor('a third of the burst acknowledged', () => ackedCount() >= total / 3, 120_000);
  pg.restart('immediate');
  const ackedAtRestart = ackedCount();
  t.comment(`acknowledged when PostgreSQL restarted: ${ackedAtRestart} of ${total}`);

  await waitFor('every message acknowledged after the restart', () => ackedCount() === total, 120_000);
  t.equal(server.child.child.exitCode, null, 'Parley kept running through the restart');
  let stored = 0;
  for (const [i, c] of clients.entries()) {
    const res = await expectJson(url, 'GET', `/api/conversations/visitor/sessions/${c.sessionId}/messages?after=0&limit=500`, undefined, { token: tokens[i] });
    const mine = (res.messages as StoredMessage[]).filter((m) => m.sender.kind === 'visitor');
    stored += mine.length;
    const ids = new Map(mine.map((m) => [m.clientMsgId, m.id]));
    t.equal(ids.size, mine.length, `visitor ${i}: no clientMsgId stored twice`);
    t.same([...c.acked].filter(([cid, id]) => ids.get(cid) !== id), [], `visitor ${i}: every acknowledged message is stored under the id its ack named`);
    t.same(c.conflicts, [], `visitor ${i}: no retry was acknowledged as a different message`);
  }
  t.equal(stored, total, `${total} messages stored in all`);
});
