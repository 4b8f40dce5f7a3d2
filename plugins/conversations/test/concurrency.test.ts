import t from 'tap';
import pino from 'pino';
import { buildApp } from '../../../core/app.ts';
import { createTestApp } from '../../../test/helpers/app.ts';

// Two Parley nodes on one database, both draining the same queue at once.
t.test('two nodes routing the same queue never assign a session twice or exceed capacity', async (t) => {
  const one = await createTestApp(t);
  const two = await buildApp({ config: one.kernel.config, db: { ...one.db, close: async () => undefined }, logger: pino({ level: 'silent' }) });
  t.teardown(() => two.close());
  const req = async (app: typeof two, method: string, url: string, token?: string, body?: unknown) => {
    const res = await app.http.inject({ method: method as 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(body ? { payload: body as object } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.body}`);
    return res.json();
  };

  await one.tenant('race');
  const agents = [];
  for (let i = 0; i < 8; i++) {
    const m = await one.member('race', 'agent');
    await req(one, 'PUT', '/api/conversations/agent/me', m.token, { status: 'busy', capacity: 2 });
    agents.push(m);
  }
  for (let i = 0; i < 30; i++) {
    const v = await req(one, 'POST', '/api/visitor/session', undefined, { tenant: 'race', name: `V${i}` });
    const s = await req(i % 2 ? one : two, 'POST', '/api/conversations/visitor/sessions', v.token, { name: `V${i}` });
    t.equal(s.session.state, 'queued');
  }
  // Every agent becomes idle at once, half through each node: both drain concurrently.
  await Promise.all(agents.map((m, i) => req(i % 2 ? one : two, 'PUT', '/api/conversations/agent/me', m.token, { status: 'idle' })));

  const knex = one.db.knex;
  const active: Array<{ agent_id: string; n: number }> = await knex('conversations_sessions').where({ state: 'active' }).groupBy('agent_id').select('agent_id').count('* as n');
  t.equal(active.length, 8, 'every agent got sessions');
  t.ok(active.every((r) => Number(r.n) === 2), 'each exactly up to capacity 2');
  t.equal(Number((await knex('conversations_sessions').where({ state: 'queued' }).count('* as n'))[0].n), 30 - 16, 'the rest still wait');
  const assignedTwice = await knex('conversations_messages').where({ type: 'system' }).whereRaw(`body->>'event' = 'assigned'`).groupBy('session_id').havingRaw('count(*) > 1').select('session_id');
  t.same(assignedTwice, [], 'no session was assigned twice');
  const counters: Array<{ member_id: string; active_count: number }> = await knex('conversations_agents').select('member_id', 'active_count');
  t.ok(counters.every((c) => c.active_count === 2), 'load counters match the sessions');
});
