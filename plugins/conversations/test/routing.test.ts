import t from 'tap';
import { KERNEL_OWNER } from '../../../core/hooks/hook-bus.ts';
import { world, emit, next, until } from './helpers.ts';

const w = await world(t);

// VIP visitors (here: names starting with "VIP") are served first, as the customer center would do.
w.app.kernel.hooks.addFilter(KERNEL_OWNER, 'conversations.session.beforeCreate', (draft) =>
  draft.visitorName?.startsWith('VIP') ? { ...draft, priority: 10 } : draft);

async function newSession(slug: string, name: string, body: Record<string, unknown> = {}) {
  const v = await w.visitor(slug, name);
  const s = await w.start(v.token, { name, ...body });
  return { ...s, token: v.token };
}
const state = async (token: string) => (await w.req('GET', '/api/conversations/agent/me', token)).json;
const session = async (token: string, id: string) => (await w.req('GET', `/api/conversations/sessions/${id}`, token)).json;

t.test('only idle agents under capacity get sessions, the least loaded first, VIP before older sessions', async (t) => {
  const tenant = await w.app.tenant('route');
  const a = await w.agent('route', { capacity: 2 });
  await w.agent('route', { capacity: 1 });
  const busy = await w.agent('route', { status: 'busy' });
  const hidden = await w.agent('route', { status: 'hidden' });

  const s1 = await newSession('route', 'One');
  const s2 = await newSession('route', 'Two');
  t.equal(s1.state, 'active');
  t.equal(s2.state, 'active');
  t.not(s1.agent.id, s2.agent.id, 'the second session goes to the agent with fewer sessions');
  const s3 = await newSession('route', 'Three');
  t.equal(s3.agent.id, a.id, 'the third goes to the agent with room left (capacity 2 vs 1)');
  const s4 = await newSession('route', 'Four');
  t.equal(s4.state, 'queued', 'everyone idle is full: the session waits');
  t.equal(s4.queuePosition, 1);
  for (const x of [busy, hidden]) t.equal((await state(x.token)).activeCount, 0, 'busy and hidden agents get nothing automatically');

  const s5 = await newSession('route', 'Five');
  const vip = await newSession('route', 'VIP Victor');
  t.equal(s5.queuePosition, 2);
  t.equal(vip.queuePosition, 1, 'a VIP session goes ahead of older ones');
  const queue = await w.req('GET', '/api/conversations/queue', tenant.adminToken);
  t.same(queue.json.sessions.map((s: any) => s.visitor.name), ['VIP Victor', 'Four', 'Five'], 'queue lists VIP first, then oldest');

  const vipAssigned = next(busy.socket, 'conv:session', (s: any) => s.id === vip.id && s.state === 'active');
  t.ok((await emit(busy.socket, 'agent:status', { status: 'idle' })).ok);
  await vipAssigned;
  t.equal((await session(tenant.adminToken, vip.id)).agent.id, busy.id, 'becoming idle drains the queue, VIP first');
  const order = await Promise.all([vip, s4, s5].map(async (x) => new Date((await session(tenant.adminToken, x.id)).assignedAt).getTime()));
  t.ok(order[0] <= order[1] && order[1] <= order[2], 'the queue drained in order: VIP, then the older, then the newer');
  t.equal((await state(busy.token)).activeCount, 3, 'the agent took all three (default capacity 5)');
  t.same((await w.req('GET', '/api/conversations/queue', tenant.adminToken)).json.sessions, [], 'nothing waits');
});

t.test('a freed agent takes the next session; fairness by load then by least recent assignment', async (t) => {
  const tenant = await w.app.tenant('fair');
  const p = await w.agent('fair', { capacity: 5 });
  const q = await w.agent('fair', { capacity: 5 });
  const s1 = await newSession('fair', 'F1');
  const s2 = await newSession('fair', 'F2');
  t.not(s1.agent.id, s2.agent.id, 'one each');
  const first = s1.agent.id === p.id ? p : q;
  const second = first === p ? q : p;
  await w.req('POST', `/api/conversations/sessions/${s1.id}/close`, first.token);
  const s3 = await newSession('fair', 'F3');
  t.equal(s3.agent.id, first.id, 'the agent with fewer active sessions gets it');
  const s4 = await newSession('fair', 'F4');
  t.equal(s4.agent.id, second.id, 'equal load: the one assigned least recently gets it');
  t.equal((await state(first.token)).activeCount, 1);
  t.equal((await state(second.token)).activeCount, 2);

  // Capacity lowered to what the agent has: nothing more; raised: the queue drains to them.
  t.equal((await w.req('PUT', `/api/conversations/agents/${first.id}`, tenant.adminToken, { capacity: 1 })).status, 200);
  t.equal((await w.req('PUT', `/api/conversations/agents/${second.id}`, tenant.adminToken, { capacity: 2 })).status, 200);
  const s5 = await newSession('fair', 'F5');
  t.equal(s5.state, 'queued');
  await w.req('PUT', `/api/conversations/agents/${first.id}`, tenant.adminToken, { capacity: 2 });
  t.equal((await session(tenant.adminToken, s5.id)).agent?.id, first.id, 'raising capacity drains the queue');
});

t.test('routing that fails leaves the change that asked for it in place; the next routing event assigns', async (t) => {
  await w.app.tenant('fail');
  const knex = w.app.db.knex;
  // A real failure inside the assignment: storing the "assigned" system message breaks a constraint.
  await knex.raw(`alter table conversations_messages add constraint test_no_assigned check (not (type = 'system' and body->>'event' = 'assigned')) not valid`);
  let dropped = false;
  const drop = async () => {
    if (!dropped) await knex.raw('alter table conversations_messages drop constraint test_no_assigned');
    dropped = true;
  };
  t.teardown(drop);
  const agent = await w.agent('fail', { status: 'busy' });
  const s = await newSession('fail', 'Fay');
  t.equal(s.state, 'queued');
  const idle = await w.req('PUT', '/api/conversations/agent/me', agent.token, { status: 'idle' });
  t.equal(idle.status, 200, 'the agent is available although routing failed');
  t.equal(idle.json.status, 'idle');
  const other = await w.visitor('fail', 'Gus');
  const started = await w.req('POST', '/api/conversations/visitor/sessions', other.token, { name: 'Gus' });
  t.equal(started.status, 200, 'a new session starts although routing failed');
  t.equal(started.json.session.state, 'queued');
  t.equal((await session(agent.token, s.id)).state, 'queued', 'nothing was half assigned');
  t.equal((await state(agent.token)).activeCount, 0);

  await drop();
  await w.req('PUT', '/api/conversations/agent/me', agent.token, { status: 'busy' });
  await w.req('PUT', '/api/conversations/agent/me', agent.token, { status: 'idle' });
  t.equal((await session(agent.token, s.id)).agent?.id, agent.id, 'the next routing event assigns the waiting sessions');
  t.equal((await session(agent.token, started.json.session.id)).agent?.id, agent.id);
});

t.test('skill groups route to their own agents; the default group to everyone while it has none', async (t) => {
  const tenant = await w.app.tenant('groups');
  const general = await w.agent('groups');
  const seller = await w.agent('groups', { status: 'busy' });
  const created = await w.req('POST', '/api/conversations/skill-groups', tenant.adminToken, { name: 'Sales', agentIds: [seller.id] });
  t.equal(created.status, 201);
  t.same(created.json.agentIds, [seller.id]);
  const dup = await w.req('POST', '/api/conversations/skill-groups', tenant.adminToken, { name: 'sales' });
  t.equal(dup.json.code, 'SKILL_GROUP_EXISTS');
  const stranger = await w.req('POST', '/api/conversations/skill-groups', tenant.adminToken, { name: 'X', agentIds: ['00000000-0000-4000-8000-000000000000'] });
  t.match(stranger.json, { statusCode: 400, code: 'MEMBER_NOT_FOUND', field: 'agentIds' });
  const asAgent = await w.req('POST', '/api/conversations/skill-groups', general.token, { name: 'Nope' });
  t.equal(asAgent.status, 403, 'agents cannot manage skill groups');

  const sale = await newSession('groups', 'Buyer', { skillGroupId: created.json.id });
  t.equal(sale.state, 'queued', 'the only Sales agent is busy: it waits, though another agent is idle');
  const support = await newSession('groups', 'Helpme');
  t.equal(support.agent.id, general.id, 'the default group without agents of its own is answered by anyone idle');
  await emit(seller.socket, 'agent:status', { status: 'idle' });
  t.equal((await session(tenant.adminToken, sale.id)).agent.id, seller.id, 'the Sales agent gets it when idle');

  const missing = await w.req('POST', '/api/conversations/visitor/sessions', (await w.visitor('groups')).token, { skillGroupId: '00000000-0000-4000-8000-000000000000' });
  t.equal(missing.json.code, 'SKILL_GROUP_NOT_FOUND');
  const groups = await w.req('GET', '/api/conversations/skill-groups', general.token);
  t.same(groups.json.skillGroups.map((g: any) => [g.name, g.isDefault]), [['General', true], ['Sales', false]]);
  const defaultId = groups.json.skillGroups[0].id;
  t.equal((await w.req('DELETE', `/api/conversations/skill-groups/${defaultId}`, tenant.adminToken)).json.code, 'DEFAULT_GROUP');
  t.equal((await w.req('DELETE', `/api/conversations/skill-groups/${created.json.id}`, tenant.adminToken)).status, 204);
  t.equal((await session(tenant.adminToken, sale.id)).skillGroup.name, 'Sales', 'history keeps the deleted group\'s name');
});

t.test('transfer to an agent and to a skill group', async (t) => {
  const tenant = await w.app.tenant('xfer');
  const a = await w.agent('xfer');
  const v = await w.visitor('xfer', 'Tess');
  const vs = await w.socket('visitor', v.token);
  const s = await w.start(v.token, { name: 'Tess' });
  t.equal(s.agent.id, a.id);
  const b = await w.agent('xfer', { status: 'away' });
  const offline = await w.app.member('xfer', 'agent');
  await w.req('GET', '/api/conversations/agent/me', offline.token); // known, never connected: offline
  const full = await w.agent('xfer', { status: 'busy', capacity: 0 });
  const url = `/api/conversations/sessions/${s.id}/transfer`;

  t.equal((await w.req('POST', url, a.token, {})).json.code, 'TRANSFER_TARGET_REQUIRED');
  t.equal((await w.req('POST', url, a.token, { toAgentId: offline.id })).json.code, 'AGENT_OFFLINE');
  t.equal((await w.req('POST', url, a.token, { toAgentId: full.id })).json.code, 'AGENT_AT_CAPACITY');
  t.equal((await w.req('POST', url, a.token, { toAgentId: a.id })).json.code, 'ALREADY_ASSIGNED');
  t.equal((await w.req('POST', url, b.token, { toAgentId: b.id })).json.code, 'NOT_YOUR_SESSION', 'only the session\'s agent transfers it');
  const other = await w.app.tenant('xfer-other');
  t.equal((await w.req('POST', url, a.token, { toAgentId: other.adminId })).json.code, 'MEMBER_NOT_FOUND', 'a member of another tenant is no target');

  const before = await emit(a.socket, 'conv:send', { sessionId: s.id, clientMsgId: 'a-before', type: 'text', body: { text: 'one moment' } });
  t.ok(before.ok, 'the agent writes before the transfer');
  const toB = next(b.socket, 'conv:session', (x: any) => x.id === s.id && x.agent?.id === b.id);
  const aHears = next(a.socket, 'conv:session', (x: any) => x.id === s.id && x.agent?.id === b.id);
  const visitorSees = next(vs, 'conv:message', (m: any) => m.body.event === 'transferred');
  const moved = await w.req('POST', url, a.token, { toAgentId: b.id, note: 'VIP, wants a refund' });
  t.equal(moved.status, 200, moved.body);
  t.equal(moved.json.state, 'active', 'a transfer to an away agent is allowed and stays in progress');
  t.equal(moved.json.agent.id, b.id);
  await toB;
  await aHears;
  const late = await emit(a.socket, 'conv:send', { sessionId: s.id, clientMsgId: 'a-after', type: 'text', body: { text: 'still mine?' } });
  t.equal(late.error?.code, 'NOT_YOUR_SESSION', 'the previous agent can no longer write in it');
  const lateRetry = await emit(a.socket, 'conv:send', { sessionId: s.id, clientMsgId: 'a-before', type: 'text', body: { text: 'one moment' } });
  t.same([lateRetry.data?.duplicate, lateRetry.data?.message.id], [true, before.data.message.id], 'but a retry of what they stored is answered with it');
  t.ok((await emit(b.socket, 'conv:send', { sessionId: s.id, clientMsgId: 'b-1', type: 'text', body: { text: 'hello, B here' } })).ok, 'the new agent writes');
  const sys = await visitorSees;
  t.match(sys.body, { event: 'transferred', toAgentName: String });
  t.equal((await state(a.token)).activeCount, 0);
  t.equal((await state(b.token)).activeCount, 1);
  const agentView = await w.req('GET', `/api/conversations/sessions/${s.id}/messages?after=0`, b.token);
  t.ok(agentView.json.messages.some((m: any) => m.body.event === 'transfer-note' && m.body.note === 'VIP, wants a refund'), 'agents see the note');
  const visitorView = await w.req('GET', `/api/conversations/visitor/sessions/${s.id}/messages?after=0`, v.token);
  t.notOk(visitorView.json.messages.some((m: any) => m.body.event === 'transfer-note'), 'the visitor never sees the note');

  const group = await w.req('POST', '/api/conversations/skill-groups', tenant.adminToken, { name: 'Refunds', agentIds: [full.id, b.id] });
  const queued = await w.req('POST', url, b.token, { toSkillGroupId: group.json.id });
  t.equal(queued.json.state, 'queued', 'back to the queue of the new group');
  t.equal(queued.json.skillGroup.name, 'Refunds');
  await emit(b.socket, 'agent:status', { status: 'idle' });
  t.equal((await session(tenant.adminToken, s.id)).state, 'queued', 'the agent who handed it back is not given it again');
  await w.req('PUT', `/api/conversations/agents/${full.id}`, tenant.adminToken, { capacity: 3, status: 'idle' });
  const final = await session(tenant.adminToken, s.id);
  t.equal(final.agent.id, full.id, 'the group\'s other agent takes it when idle with room');
});

t.test('agent status: presence decides offline; admins change online agents only', async (t) => {
  const tenant = await w.app.tenant('status');
  const a = await w.agent('status');
  const pushed = next(a.socket, 'agent:state', (s: any) => s.status === 'away');
  const set = await w.req('PUT', `/api/conversations/agents/${a.id}`, tenant.adminToken, { status: 'away' });
  t.equal(set.status, 200);
  t.equal((await pushed).status, 'away', 'the agent is told of the change');
  t.equal((await w.req('PUT', `/api/conversations/agents/${a.id}`, a.token, { status: 'idle' })).status, 403, 'an agent cannot set others (or use the admin route)');
  const offlineStatus = await w.req('PUT', '/api/conversations/agent/me', a.token, { status: 'offline' });
  t.equal(offlineStatus.json.code, 'VALIDATION_FAILED', 'offline is not a status one chooses');

  a.socket.disconnect();
  await until(async () => (await state(a.token)).status === 'offline');
  const force = await w.req('PUT', `/api/conversations/agents/${a.id}`, tenant.adminToken, { status: 'idle' });
  t.equal(force.status, 409);
  t.equal(force.json.code, 'AGENT_OFFLINE', 'an offline agent cannot be forced online');
  t.equal((await w.req('PUT', `/api/conversations/agents/${a.id}`, tenant.adminToken, { capacity: 7 })).json.capacity, 7, 'capacity can still be set');
  await w.socket('agent', a.token);
  await until(async () => (await state(a.token)).status === 'away');
  t.pass('reconnecting restores the last chosen status');
  const list = await w.req('GET', '/api/conversations/agents', a.token);
  t.ok(list.json.agents.some((x: any) => x.memberId === a.id && x.capacity === 7));
});
