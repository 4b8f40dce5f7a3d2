import t from 'tap';
import pino from 'pino';
import { io } from 'socket.io-client';
import { ManualClock } from '../../../core/clock.ts';
import { KERNEL_OWNER } from '../../../core/hooks/hook-bus.ts';
import { buildApp } from '../../../core/app.ts';
import { world, next, until } from './helpers.ts';

// Presence survives crashed processes: agents and queued visitors are only as present as the last
// stamp a live process wrote. Time moves only when the test says so (ticks are run by hand).
const clock = new ManualClock();
const w = await world(t, { clock, config: { redisUrl: process.env.REDIS_URL || undefined } });
await w.app.kernel.jobs.stop();
const { tickMs, graceMs } = { tickMs: w.app.kernel.config.presenceTickMs, graceMs: w.app.kernel.config.presenceGraceMs };
const heartbeat = () => w.app.kernel.jobs.runNow('conversations.presence-heartbeat');
const sweep = () => w.app.kernel.jobs.runNow('conversations.presence-sweep');
/** Time passes one tick at a time, every process stamping and the sweep running as it would. */
const ticks = async (n: number, also: () => Promise<unknown> = async () => undefined) => {
  for (let i = 0; i < n; i++) {
    await also();
    await heartbeat();
    clock.advance(tickMs);
    await sweep();
  }
};

const closed: Array<{ sessionId: string; state: string; closedBy: string }> = [];
w.app.kernel.hooks.onAction(KERNEL_OWNER, 'conversations.session.closed', ({ sessionId, state, closedBy }) => {
  closed.push({ sessionId, state, closedBy });
});

const agentState = async (token: string) => (await w.req('GET', '/api/conversations/agent/me', token)).json;
/** Read as the visitor: counts as their activity. */
const session = async (token: string, id: string) => (await w.req('GET', `/api/conversations/visitor/sessions/${id}`, token)).json;
/** Read behind the visitor's back. */
const stateOf = async (id: string): Promise<string> => (await w.app.db.knex('conversations_sessions').where({ id }).first()).state;

t.test('a ghost agent left idle by a crashed process gets no session and is taken offline; a connected one stays', async (t) => {
  await w.app.tenant('ghosts');
  const ghost = await w.app.member('ghosts', 'agent');
  await agentState(ghost.token);
  // What a SIGKILLed process leaves behind: idle in the database, no socket anywhere, no more stamps.
  await w.app.db.knex('conversations_agents').where({ member_id: ghost.id }).update({ status: 'idle', last_seen_at: clock.now() });
  await heartbeat();
  clock.advance(graceMs + 1000);

  const v = await w.visitor('ghosts');
  const vs = await w.socket('visitor', v.token);
  const queued = await w.start(v.token);
  t.equal(queued.state, 'queued', 'routing does not give the session to an agent not seen within the grace');

  await sweep();
  const gone = await agentState(ghost.token);
  t.equal(gone.status, 'offline', 'the sweep took the ghost offline');
  t.equal(gone.activeCount, 0);

  const assigned = next(vs, 'conv:session', (s: any) => s.state === 'active');
  const live = await w.agent('ghosts');
  await ticks(12);
  t.equal((await agentState(live.token)).status, 'idle', `a connected agent stays idle across 12 ticks (${(12 * tickMs) / 1000} s)`);
  t.equal(await stateOf(queued.id), 'active', 'the waiting visitor went to the connected agent');
  t.equal((await assigned).agent.id, live.id);
  t.equal((await agentState(ghost.token)).activeCount, 0, 'the ghost got nothing');

  // A process that could not stamp its agent for a while (the database away): its next heartbeat brings the agent back.
  clock.advance(graceMs + 1000);
  await sweep();
  t.equal((await agentState(live.token)).status, 'offline', 'not stamped within the grace: offline');
  const back = next(live.socket, 'agent:state', (s: any) => s.status === 'idle');
  await heartbeat();
  t.equal((await back).status, 'idle', 'the agent still connected here is restored to the status they chose');
});

t.test('a queued visitor who closed the tab is aborted after the timeout, like a leave', async (t) => {
  await w.app.tenant('tabs');
  const gone = await w.visitor('tabs', 'Gone');
  const goneSocket = await w.socket('visitor', gone.token);
  const first = await w.start(gone.token);
  const stays = await w.visitor('tabs', 'Stays');
  const staysSocket = await w.socket('visitor', stays.token);
  const second = await w.start(stays.token);
  t.equal(second.queuePosition, 2);

  await ticks(3);
  goneSocket.disconnect();
  await until(async () => (await w.app.db.knex('conversations_sessions').where({ id: first.id }).first()).visitor_seen_at.getTime() === clock.now().getTime());
  await ticks(Math.floor((300_000 - 1) / tickMs));
  t.equal(await stateOf(first.id), 'queued', 'still queued just before five minutes away');

  const moved = next(staysSocket, 'conv:session', (s: any) => s.queuePosition === 1);
  await ticks(2);
  t.equal(await stateOf(first.id), 'aborted', 'aborted once away for five minutes');
  const messages = (await w.req('GET', `/api/conversations/visitor/sessions/${first.id}/messages?after=0`, gone.token)).json.messages;
  t.same(messages.map((m: any) => m.body), [{ event: 'aborted', by: 'system' }], 'the timeline says so, as for a leave');
  await until(() => closed.some((c) => c.sessionId === first.id));
  t.same(closed.find((c) => c.sessionId === first.id), { sessionId: first.id, state: 'aborted', closedBy: 'system' }, 'plugins hear it closed, aborted');
  t.equal((await moved).id, second.id, 'the visitor behind moved up to first place');
  t.equal(await stateOf(second.id), 'queued', 'the connected visitor is still waiting');

  const again = await w.start(gone.token);
  t.not(again.id, first.id, 'coming back later starts a new session');
});

t.test('a visitor who comes back in time keeps their place', async (t) => {
  await w.app.tenant('returns');
  const v = await w.visitor('returns');
  let socket = await w.socket('visitor', v.token);
  const s = await w.start(v.token);
  const behind = await w.visitor('returns');
  const later = await w.start(behind.token);

  socket.disconnect();
  await ticks(12); // four minutes
  socket = await w.socket('visitor', v.token);
  await ticks(30); // ten more minutes, connected
  t.match(await session(v.token, s.id), { state: 'queued', queuePosition: 1 }, 'not aborted, still first');
  t.equal(await stateOf(later.id), 'aborted', 'while the visitor behind, gone all along, was aborted');
  socket.disconnect();
});

t.test('a visitor on REST alone stays queued while polling', async (t) => {
  await w.app.tenant('polling');
  const v = await w.visitor('polling');
  const s = await w.start(v.token);
  const poll = () => w.req('GET', `/api/conversations/visitor/sessions/${s.id}/messages?after=0`, v.token);
  await ticks(30, poll); // ten minutes, polling every tick
  t.equal(await stateOf(s.id), 'queued', 'polling counts as being there');

  await ticks(15); // five minutes without a request
  t.equal(await stateOf(s.id), 'aborted', 'once the polling stops, the timeout runs');
});

t.test('each tenant has its own timeout', async (t) => {
  const quick = await w.app.tenant('quick');
  const set = await w.req('PUT', '/api/plugins/conversations/settings', quick.adminToken, { settings: { queuedVisitorAwaySeconds: 120 } });
  t.equal(set.status, 200);
  const bad = await w.req('PUT', '/api/plugins/conversations/settings', quick.adminToken, { settings: { queuedVisitorAwaySeconds: 5 } });
  t.match(bad.json, { statusCode: 400, code: 'INVALID_SETTINGS', field: 'queuedVisitorAwaySeconds' });
  await w.app.tenant('patient');

  const q = await w.visitor('quick');
  const qs = await w.start(q.token);
  const p = await w.visitor('patient');
  const ps = await w.start(p.token);
  await ticks(Math.ceil(150_000 / tickMs));
  t.equal(await stateOf(qs.id), 'aborted', 'the tenant that asked for two minutes aborts after them');
  t.equal(await stateOf(ps.id), 'queued', 'another tenant keeps the default five minutes');
  await ticks(Math.ceil(160_000 / tickMs));
  t.equal(await stateOf(ps.id), 'aborted', 'and aborts after them');
});

t.test('presence holds across processes, and goes with a process that dies', async (t) => {
  // A second Parley process on the same database, stamping what is connected to it.
  const two = await buildApp({ config: w.app.kernel.config, db: { ...w.app.db, close: async () => undefined }, logger: pino({ level: 'silent' }), clock });
  const url = await two.listen();
  await two.kernel.jobs.stop();
  const sockets: Array<ReturnType<typeof io>> = [];
  t.teardown(async () => {
    for (const s of sockets) s.disconnect();
    await two.close();
  });
  const connectTwo = (ns: string, token: string) =>
    new Promise<ReturnType<typeof io>>((resolve, reject) => {
      const s = io(`${url}/${ns}`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(s);
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
  const heartbeatTwo = () => two.kernel.jobs.runNow('conversations.presence-heartbeat');

  await w.app.tenant('nodes');
  const agent = await w.app.member('nodes', 'agent');
  await w.req('PUT', '/api/conversations/agent/me', agent.token, { capacity: 0 });
  await connectTwo('agent', agent.token);
  await until(async () => (await agentState(agent.token)).status === 'idle');
  const v = await w.visitor('nodes');
  await connectTwo('visitor', v.token);
  const s = await w.start(v.token);
  t.equal(s.state, 'queued', 'the agent has no room, so the visitor waits');

  // Ten minutes pass; only the other process has their sockets, and it stamps them.
  await ticks(30, heartbeatTwo);
  t.equal((await agentState(agent.token)).status, 'idle', 'an agent connected to another process stays online');
  t.equal(await stateOf(s.id), 'queued', 'a visitor connected to another process stays queued');

  // The other process stops stamping (killed: its sockets never say goodbye).
  await ticks(Math.ceil(graceMs / tickMs) + 1);
  t.equal((await agentState(agent.token)).status, 'offline', 'its agent is offline after the grace');
  t.equal(await stateOf(s.id), 'queued', 'its visitor is not aborted before their timeout');
  await ticks(Math.ceil(300_000 / tickMs));
  t.equal(await stateOf(s.id), 'aborted', 'and is after it');
});
