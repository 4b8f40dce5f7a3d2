/**
 * What the reliability tests share: waiting for a condition, and a burst of visitor messages that
 * something is broken in the middle of, counted afterwards against what is stored.
 */
import type { Test } from 'tap';
import { expectJson } from '../../bench/lib/http.ts';
import { VisitorClient, type StoredMessage } from './visitor-client.ts';

export async function waitFor(what: string, ok: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Burst {
  perVisitor: number;
  total: number;
  /** Messages acknowledged so far, over all clients. */
  ackedCount(): number;
}

/**
 * `visitors` visitors of `tenant`, each with a session and a connected VisitorClient (added to
 * `clients`, which the caller closes, so a failure half-way leaves no socket open), queue
 * `perVisitor` messages each, interleaved. Resolves once a third are acknowledged: the moment to
 * break something.
 */
export async function burstUnderWay(url: string, clients: VisitorClient[], o: { tenant: string; visitors: number; perVisitor: number }): Promise<Burst> {
  for (let i = 0; i < o.visitors; i++) {
    const v = await expectJson(url, 'POST', '/api/visitor/session', { tenant: o.tenant, name: `Visitor ${i}` });
    const { session } = await expectJson(url, 'POST', '/api/conversations/visitor/sessions', {}, { token: v.token });
    clients.push(new VisitorClient(url, v.token, session.id));
  }
  await waitFor('visitor sockets', () => clients.every((c) => c.socket.connected), 30_000);

  for (let n = 0; n < o.perVisitor; n++) for (const c of clients) c.send(`message ${n}`);
  const total = o.visitors * o.perVisitor;
  const ackedCount = () => clients.reduce((a, c) => a + c.acked.size, 0);
  await waitFor('a third of the burst acknowledged', () => ackedCount() >= total / 3, 120_000);
  return { perVisitor: o.perVisitor, total, ackedCount };
}

/**
 * Counts the burst against what `url` has stored, once every message is acknowledged: per visitor,
 * each message stored once and under the id its ack named, no retry acknowledged as another
 * message; all of them in the end. Returns each session's stored messages, for further checks.
 */
export async function checkStored(t: Test, url: string, clients: VisitorClient[], burst: Burst): Promise<StoredMessage[][]> {
  const sessions: StoredMessage[][] = [];
  let stored = 0;
  for (const [i, c] of clients.entries()) {
    const res = await expectJson(url, 'GET', `/api/conversations/visitor/sessions/${c.sessionId}/messages?after=0&limit=500`, undefined, { token: c.token });
    sessions.push(res.messages);
    const mine = (res.messages as StoredMessage[]).filter((m) => m.sender.kind === 'visitor');
    stored += mine.length;
    const byClientId = new Map<string, StoredMessage[]>();
    for (const m of mine) byClientId.set(m.clientMsgId!, [...(byClientId.get(m.clientMsgId!) ?? []), m]);
    const twice = [...byClientId.values()].filter((list) => list.length > 1).length;
    t.equal(twice, 0, `visitor ${i}: no clientMsgId stored twice`);
    t.equal(mine.length, burst.perVisitor, `visitor ${i}: each of the ${burst.perVisitor} messages stored once`);
    const lost = [...c.acked].filter(([cid, id]) => byClientId.get(cid)?.[0]?.id !== id);
    t.same(lost, [], `visitor ${i}: every acknowledged message is stored under the id its ack named`);
    t.same(c.conflicts, [], `visitor ${i}: no retry was acknowledged as a different message`);
  }
  t.equal(stored, burst.total, `${burst.total} messages stored in all`);
  return sessions;
}
