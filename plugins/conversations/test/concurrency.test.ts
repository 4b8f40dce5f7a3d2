import t from 'tap';
import pino from 'pino';
import { buildApp, type ParleyApp } from '../../../core/app.ts';
import { createTestApp } from '../../../test/helpers/app.ts';
import { dbKind } from '../../../test/helpers/database.ts';

/** A request that must succeed; its JSON answer. */
async function req(app: Pick<ParleyApp, 'http'>, method: string, url: string, token?: string, body?: unknown) {
  const res = await app.http.inject({ method: method as 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(body ? { payload: body as object } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.body}`);
  return res.json();
}

// Two Parley nodes on one database, both draining the same queue at once.
t.test('two nodes routing the same queue never assign a session twice or exceed capacity', async (t) => {
  const one = await createTestApp(t);
  const two = await buildApp({ config: one.kernel.config, db: { ...one.db, close: async () => undefined }, logger: pino({ level: 'silent' }) });
  t.teardown(() => two.close());

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

// Rows are locked by more than routing: a message send locks its session, a presence stamp or an
// agent's first request (an upsert) locks the agent. Routing must wait for them, not skip the row
// and leave the session queued until the next routing event.
t.test('routing waits for a session or an agent that something else holds', { skip: dbKind() === 'pglite' && 'PGlite has one connection: a held row lock would stop everything' }, async (t) => {
  const app = await createTestApp(t);
  await app.tenant('held');
  const knex = app.db.knex;
  const visitorStarts = async (name: string) => {
    const v = await req(app, 'POST', '/api/visitor/session', undefined, { tenant: 'held', name });
    return () => req(app, 'POST', '/api/conversations/visitor/sessions', v.token, { name });
  };
  const stateOf = async (id: string) => (await knex('conversations_sessions').where({ id }).first('state', 'agent_id'));
  const agent = await app.member('held', 'agent');

  await t.test('the agent row is held while a session arrives', async (t) => {
    await req(app, 'PUT', '/api/conversations/agent/me', agent.token, { status: 'idle' });
    const start = await visitorStarts('A');
    const holder = await knex.transaction();
    await holder('conversations_agents').where({ member_id: agent.id }).forUpdate();
    const started = start();
    await new Promise((r) => setTimeout(r, 300));
    await holder.commit();
    const { session } = await started;
    t.equal(session.state, 'active', 'assigned once the holder let go');
    t.same(await stateOf(session.id), { state: 'active', agent_id: agent.id });
  });

  await t.test('the session row is held while an agent becomes free', async (t) => {
    await req(app, 'PUT', '/api/conversations/agent/me', agent.token, { status: 'busy' });
    const { session } = await (await visitorStarts('B'))();
    t.equal(session.state, 'queued');
    const holder = await knex.transaction();
    await holder('conversations_sessions').where({ id: session.id }).forUpdate();
    const idle = req(app, 'PUT', '/api/conversations/agent/me', agent.token, { status: 'idle' });
    await new Promise((r) => setTimeout(r, 300));
    await holder.commit();
    await idle;
    t.same(await stateOf(session.id), { state: 'active', agent_id: agent.id }, 'assigned once the holder let go');
  });
});

// One process folds the drains asked for while one runs into one more pass; none may be lost.
t.test('sessions arriving together on one node all get routed', async (t) => {
  const app = await createTestApp(t);
  await app.tenant('burst');
  const agentIds: string[] = [];
  for (let i = 0; i < 4; i++) {
    const m = await app.member('burst', 'agent');
    await req(app, 'PUT', '/api/conversations/agent/me', m.token, { status: 'idle', capacity: 10 });
    agentIds.push(m.id);
  }
  const knex = app.db.knex;
  const counts = async () => {
    const rows: Array<{ state: string; n: number }> = await knex('conversations_sessions').groupBy('state').select('state').count('* as n');
    return Object.fromEntries(rows.map((c) => [c.state, Number(c.n)]));
  };
  // Two waves: the first fills all but two seats, the second arrives while seats are few.
  for (const [wave, size, active] of [[1, 38, 38], [2, 12, 40]] as const) {
    const visitors = await Promise.all(Array.from({ length: size }, (_, i) => req(app, 'POST', '/api/visitor/session', undefined, { tenant: 'burst', name: `W${wave}-${i}` })));
    const started = await Promise.all(visitors.map((v, i) => req(app, 'POST', '/api/conversations/visitor/sessions', v.token, { name: `W${wave}-${i}` })));
    if (wave === 1) t.ok(started.every((s) => s.session.state === 'active'), 'with seats free, every answer says the session is taken');
    t.same(await counts(), wave === 1 ? { active } : { active, queued: 10 }, `wave ${wave}: every free seat filled`);
  }
  const loads: Array<{ active_count: number }> = await knex('conversations_agents').whereIn('member_id', agentIds).select('active_count');
  t.same(loads.map((l) => l.active_count), [10, 10, 10, 10], 'the load counters match');
});
