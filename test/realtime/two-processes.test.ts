import t from 'tap';
import { collect, connect, disconnected, nextEvent, request, type ClientSocket } from '../helpers/sockets.ts';
import { freshDatabase } from '../helpers/database.ts';
import { operator, post, startParley, type ParleyProcess } from './fixtures/spawn-parley.ts';
import { rooms } from '../../core/realtime/realtime.ts';
import { SESSION_ENDED_EVENT } from '../../core/realtime/realtime.ts';

const skip = !process.env.DATABASE_URL
  ? 'DATABASE_URL is not set: two processes need one shared PostgreSQL database (PGlite cannot be shared); CI sets it'
  : !process.env.REDIS_URL
    ? 'REDIS_URL is not set: the processes reach each other through Redis; CI sets it'
    : false;
// Two child processes build a whole Parley each; on a busy machine that takes a while.
t.setTimeout(600_000);

t.test('two Parley processes deliver to each other through Redis', { skip }, async (t) => {
  const db = await freshDatabase();
  const procs: ParleyProcess[] = [];
  // Stop the processes before the database goes away (teardowns run in order).
  t.teardown(async () => {
    await Promise.all(procs.map((p) => p.stop(15_000)));
    await db.close();
  });
  // The first one migrates the database; the second finds it ready.
  procs.push(await startParley(t, { DATABASE_URL: db.url }));
  procs.push(await startParley(t, { DATABASE_URL: db.url }));
  const [one, two] = procs as [ParleyProcess, ParleyProcess];

  const tenant = async (slug: string) => {
    const { id } = await operator(one.url, 'POST', '/api/operator/tenants', { slug, name: slug, edition: 'standard', seats: 10, addons: [] });
    return id as string;
  };
  const member = async (slug: string, roleKey: string) => {
    const email = `${roleKey}${Math.random().toString(36).slice(2, 8)}@${slug}.test`;
    const { id } = await operator(one.url, 'POST', `/api/operator/tenants/${slug}/members`, { email, name: email, password: 'correct horse battery', roleKey });
    // Signed in on the other process: both read one database.
    const { token } = await post(two.url, '/api/auth/login', { tenant: slug, email, password: 'correct horse battery' });
    return { id: id as string, token: token as string };
  };
  const acmeId = await tenant('acme');
  const globexId = await tenant('globex');
  const [a1, a2, b1] = [await member('acme', 'agent'), await member('acme', 'agent'), await member('globex', 'agent')];
  const va = await post(two.url, '/api/visitor/session', { tenant: 'acme' }) as { token: string; visitorId: string };

  const agentOnOne = await connect(t, one.url, 'agent', { token: a1.token });
  const agentOnTwo = await connect(t, two.url, 'agent', { token: a2.token });
  const otherTenantOnTwo = await connect(t, two.url, 'agent', { token: b1.token });
  const visitorOnTwo = await connect(t, two.url, 'visitor', { token: va.token });
  const all: ClientSocket[] = [agentOnOne, agentOnTwo, otherTenantOnTwo, visitorOnTwo];

  t.test('the sockets really are on two processes', async (t) => {
    t.equal((await request(agentOnOne, 'test.pid')).data, one.pid);
    t.equal((await request(agentOnTwo, 'test.pid')).data, two.pid);
    t.equal((await request(visitorOnTwo, 'test.pid')).data, two.pid);
    t.not(one.pid, two.pid);
  });

  /** Asks process one (through agentOnOne) to emit. */
  const emitOnOne = async (ns: 'agent' | 'visitor', to: string[], event: string, data: unknown) => {
    const res = await request(agentOnOne, 'test.emit', { ns, rooms: to, event, data });
    if (!res.ok || res.data !== one.pid) throw new Error(`emit failed: ${JSON.stringify(res)}`);
  };

  t.test('an emit on process one reaches a visitor on process two', async (t) => {
    const got = nextEvent(visitorOnTwo, 'news');
    await emitOnOne('visitor', [rooms.visitor(va.visitorId)], 'news', { text: 'from one' });
    t.same(await got, { text: 'from one' });
  });

  t.test("a tenant room on process one reaches that tenant's agents on process two, not another tenant's", async (t) => {
    const seen = all.map((s) => collect(s, 'tenant-news'));
    const sentinels = all.filter((s) => s !== visitorOnTwo).map((s) => nextEvent(s, 'sentinel'));
    await emitOnOne('agent', [rooms.tenant(acmeId)], 'tenant-news', 1);
    // Emits reach each socket in order: after the sentinel, nothing more of the first is coming.
    await emitOnOne('agent', [rooms.tenant(acmeId), rooms.tenant(globexId)], 'sentinel', 1);
    await Promise.all(sentinels);
    t.same(seen.map((s) => s.length), [1, 1, 0, 0]);
  });

  t.test('a room join made on process one applies to a socket on process two', async (t) => {
    const room = 'c:shared-chat';
    const joined = await request(agentOnOne, 'test.join', { ns: 'visitor', selector: rooms.visitor(va.visitorId), room });
    t.same(joined, { ok: true, data: one.pid });
    const got = nextEvent(visitorOnTwo, 'chat');
    await emitOnOne('visitor', [room], 'chat', 'hello room');
    t.equal(await got, 'hello room');

    const seen = collect(visitorOnTwo, 'chat');
    await request(agentOnOne, 'test.join', { ns: 'visitor', selector: rooms.visitor(va.visitorId), room, leave: true });
    const sentinel = nextEvent(visitorOnTwo, 'sentinel');
    await emitOnOne('visitor', [room], 'chat', 'after leaving');
    await emitOnOne('visitor', [rooms.visitor(va.visitorId)], 'sentinel', 1);
    await sentinel;
    t.same(seen, [], 'and so does leaving');
  });

  t.test('a session recheck on process one ends a signed-out socket on process two', async (t) => {
    const told = nextEvent(agentOnTwo, SESSION_ENDED_EVENT);
    const gone = disconnected(agentOnTwo);
    await post(one.url, '/api/auth/logout', {}, a2.token);
    t.same(await request(agentOnOne, 'test.recheck', { memberId: a2.id }), { ok: true, data: one.pid });
    t.match(await told, { code: 'UNAUTHENTICATED' });
    t.equal(await gone, 'io server disconnect');
    t.ok(agentOnOne.connected && otherTenantOnTwo.connected, 'other sockets stay');
  });

  t.test('a member disabled on process one is refused on process two at once (no cached sign-in outlives it)', async (t) => {
    const admin = await member('acme', 'admin');
    const agent = await member('acme', 'agent');
    const me = async (token: string) => (await fetch(`${two.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status;
    t.equal(await me(agent.token), 200, 'signed in on process two (and remembered there)');
    const res = await fetch(`${one.url}/api/members/${agent.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ disabled: true }) });
    t.equal(res.status, 200);
    // The change reaches process two through Redis, in the order it was published.
    let status = await me(agent.token);
    for (let i = 0; status === 200 && i < 20; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = await me(agent.token);
    }
    t.equal(status, 401, 'process two refuses the token');
  });

  t.test('both processes shut down gracefully', async (t) => {
    const gone = [disconnected(agentOnOne), disconnected(visitorOnTwo)];
    for (const p of [one, two]) {
      const result = await p.stop(15_000);
      t.same({ code: result.code, signal: result.signal, closed: result.closed }, { code: 0, signal: null, closed: true }, `pid ${p.pid} exits by itself (${result.ms} ms)`);
      // Plugins' own shutdown noise is theirs to test; the kernel logs no error.
      const errors = p.stderr().split('\n').filter((l) => /"level":(50|60)/.test(l) && !/"plugin":/.test(l));
      t.same(errors, [], 'the kernel logs no error');
    }
    t.same(await Promise.all(gone), ['transport close', 'transport close']);
  });
});
