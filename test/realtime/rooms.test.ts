import t from 'tap';
import { listeningApp } from './setup.ts';
import { collect, connect, nextEvent, type ClientSocket } from '../helpers/sockets.ts';
import { rooms } from '../../core/realtime/realtime.ts';

t.test('sockets join their tenant and own rooms, and emits stay in them', async (t) => {
  const app = await listeningApp(t);
  const rt = app.kernel.realtime;
  const a = await app.tenant('acme');
  const b = await app.tenant('globex');
  const [a1, a2, b1] = await Promise.all([app.member('acme', 'agent'), app.member('acme', 'agent'), app.member('globex', 'agent')]);
  const [va, vb] = [await app.visitor('acme'), await app.visitor('globex')];
  const agents = {
    a1: await connect(t, app.url, 'agent', { token: a1.token }),
    a2: await connect(t, app.url, 'agent', { token: a2.token }),
    b1: await connect(t, app.url, 'agent', { token: b1.token }),
  };
  const visitors = {
    va: await connect(t, app.url, 'visitor', { token: va.token }),
    vaSecondTab: await connect(t, app.url, 'visitor', { token: va.token }),
    vb: await connect(t, app.url, 'visitor', { token: vb.token }),
  };
  const all = { ...agents, ...visitors };
  const seen = Object.fromEntries(Object.entries(all).map(([k, s]) => [k, collect(s, 'news')])) as Record<keyof typeof all, unknown[]>;

  /**
   * Emits `news`, then a sentinel to every socket. Emits reach a socket in order, so once each
   * socket has its sentinel, it has every `news` it was ever going to get.
   */
  const deliver = async (send: () => void): Promise<string[]> => {
    for (const list of Object.values(seen)) list.length = 0;
    send();
    const marker = Math.random();
    const arrived = Object.values(all).map((s: ClientSocket) => nextEvent(s, 'sentinel'));
    rt.emit('agent', [rooms.tenant(a.id), rooms.tenant(b.id)], 'sentinel', marker);
    rt.emit('visitor', [rooms.tenant(a.id), rooms.tenant(b.id)], 'sentinel', marker);
    if (!(await Promise.all(arrived)).every((m) => m === marker)) throw new Error('a sentinel arrived out of turn');
    return Object.entries(seen).filter(([, list]) => list.length > 0).map(([k]) => k).sort();
  };

  t.test('the server placed each socket in its rooms', async (t) => {
    const serverRooms = (ns: 'agent' | 'visitor', s: ClientSocket) => [...rt.namespace(ns).sockets.get(s.id!)!.rooms].filter((r) => r !== s.id).sort();
    t.same(serverRooms('agent', agents.a1), [rooms.member(a1.id), rooms.tenant(a.id)].sort());
    t.same(serverRooms('agent', agents.b1), [rooms.member(b1.id), rooms.tenant(b.id)].sort());
    t.same(serverRooms('visitor', visitors.vb), [rooms.tenant(b.id), rooms.visitor(vb.visitorId)].sort());
  });

  t.test("a tenant room reaches that tenant's sockets of that namespace only", async (t) => {
    t.same(await deliver(() => rt.emit('agent', rooms.tenant(a.id), 'news', 1)), ['a1', 'a2']);
    t.same(await deliver(() => rt.emit('visitor', rooms.tenant(b.id), 'news', 1)), ['vb']);
  });

  t.test('member and visitor rooms reach that person only, in every tab', async (t) => {
    t.same(await deliver(() => rt.emit('agent', rooms.member(a2.id), 'news', 1)), ['a2']);
    t.same(await deliver(() => rt.emit('visitor', rooms.visitor(va.visitorId), 'news', 1)), ['va', 'vaSecondTab']);
  });

  t.test("one namespace's room names reach nobody in the other", async (t) => {
    t.same(await deliver(() => rt.emit('visitor', rooms.member(a1.id), 'news', 1)), []);
    t.same(await deliver(() => rt.emit('agent', rooms.visitor(va.visitorId), 'news', 1)), []);
  });

  t.test('an empty room list reaches nobody (not the whole namespace)', async (t) => {
    t.same(await deliver(() => rt.emit('agent', [], 'news', 1)), []);
    t.same(await deliver(() => rt.emit('visitor', [], 'news', 1)), []);
  });

  t.test('join and leave move the selected sockets between rooms', async (t) => {
    rt.join('visitor', rooms.visitor(va.visitorId), 'c:chat-1');
    rt.join('agent', rooms.member(a1.id), 'c:chat-1');
    t.same(await deliver(() => rt.emit('visitor', 'c:chat-1', 'news', 1)), ['va', 'vaSecondTab']);
    t.same(await deliver(() => rt.emit('agent', 'c:chat-1', 'news', 1)), ['a1']);
    rt.leave('agent', rooms.member(a1.id), 'c:chat-1');
    t.same(await deliver(() => rt.emit('agent', 'c:chat-1', 'news', 1)), []);
    t.same(await deliver(() => rt.emit('visitor', ['c:chat-1', rooms.visitor(vb.visitorId)], 'news', 1)), ['va', 'vaSecondTab', 'vb'], 'several rooms at once');
    rt.join('agent', '', 'c:chat-1');
    t.same(await deliver(() => rt.emit('agent', 'c:chat-1', 'news', 1)), [], 'an empty selector selects nobody');
  });

  t.test('the payload arrives as sent', async (t) => {
    const got = nextEvent(agents.b1, 'news');
    rt.emit('agent', rooms.member(b1.id), 'news', { text: '<script>alert(1)</script>', n: 1, nested: { ok: true } });
    t.same(await got, { text: '<script>alert(1)</script>', n: 1, nested: { ok: true } });
  });
});
