/**
 * The Parley process is killed with SIGKILL in the middle of a message burst and started again on
 * the same database (a PGlite folder, or a fresh PostgreSQL database when DATABASE_URL is set).
 * Visitors reconnect, resync and retry what was not acknowledged with the same clientMsgId. By
 * counting: every acknowledged message is stored exactly once, nothing is stored twice, and every
 * message the clients sent is stored in the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { createDatabase, type BenchDatabase } from '../../bench/lib/database.ts';
import { operator, startParleyServer, type ParleyServer } from '../../bench/lib/parley.ts';
import { burstUnderWay, checkStored, waitFor } from './burst.ts';
import type { StoredMessage, VisitorClient } from './visitor-client.ts';

const VISITORS = 6;
const PER_VISITOR = 50;
t.setTimeout(420_000);

t.test('SIGKILL in the middle of a burst loses no acknowledged message and stores none twice', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-kill-'));
  let db: BenchDatabase | null = null;
  if (process.env.DATABASE_URL) db = await createDatabase(process.env.DATABASE_URL, 'parley_t_kill');
  const start = (port?: number) => startParleyServer({
    dataDir: db ? undefined : dataDir,
    env: { ...(db ? { DATABASE_URL: db.url } : {}), ...(port ? { BENCH_PORT: String(port) } : {}) },
  });
  const servers: ParleyServer[] = [];
  const clients: VisitorClient[] = [];
  t.teardown(async () => {
    for (const c of clients) c.close();
    for (const s of servers) await s.stop();
    await db?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  servers.push(await start());
  const url = servers[0]!.url;
  const port = Number(new URL(url).port);
  await operator(url, 'POST', '/api/operator/tenants', { slug: 'kill', name: 'kill', edition: 'standard', seats: 5, addons: [] });
  const burst = await burstUnderWay(url, clients, { tenant: 'kill', visitors: VISITORS, perVisitor: PER_VISITOR });
  servers[0]!.child.child.kill('SIGKILL');
  await servers[0]!.child.exited;
  const ackedBeforeKill = new Map(clients.flatMap((c) => [...c.acked]));
  t.ok(ackedBeforeKill.size < burst.total, `killed mid-burst (${ackedBeforeKill.size} of ${burst.total} acknowledged)`);

  servers.push(await start(port));
  await waitFor('every message acknowledged after the restart', () => burst.ackedCount() === burst.total, 180_000);
  // One more sync per client after the burst: the clients' view must be complete.
  await Promise.all(clients.map(async (c) => {
    const ack = await c.socket.timeout(10_000).emitWithAck('conv:sync', { sessionId: c.sessionId, afterSeq: 0, limit: 500 });
    for (const m of ack.data.messages as StoredMessage[]) if (!c.seen.has(m.seq)) c.seen.set(m.seq, m);
  }));

  const sessions = await checkStored(t, servers[1]!.url, clients, burst);
  for (const [i, c] of clients.entries()) {
    const seqs = sessions[i]!.map((m) => m.seq);
    t.equal(new Set(seqs).size, seqs.length, `visitor ${i}: seqs are unique`);
    t.same([...c.seen.keys()].sort((a, b) => a - b), seqs, `visitor ${i}: the client has seen exactly what is stored`);
  }
  const lostAcked = [...ackedBeforeKill].filter(([cid]) => !clients.some((c) => c.acked.get(cid) === ackedBeforeKill.get(cid)));
  t.same(lostAcked, [], 'messages acknowledged before the kill are still the ones stored');
  t.comment(`acknowledged before the kill: ${ackedBeforeKill.size}; retries answered as duplicates: ${clients.reduce((a, c) => a + c.duplicateAcks, 0)}`);
});
