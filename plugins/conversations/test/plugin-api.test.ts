import t from 'tap';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestApp } from '../../../test/helpers/app.ts';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'sample-rating');

t.test('another plugin adds message types, a side-panel tab and system messages, only where it is enabled', async (t) => {
  const app = await createTestApp(t, { pluginPaths: [fixture] });
  const tenant = await app.tenant('api');
  const req = async (method: string, url: string, token?: string, body?: unknown) => {
    const res = await app.request({ method, url, token, body });
    return { status: res.statusCode, json: res.json() as any };
  };
  const agent = await app.member('api', 'agent');
  await req('PUT', '/api/conversations/agent/me', agent.token, { status: 'idle' });
  const v = await req('POST', '/api/visitor/session', undefined, { tenant: 'api', name: 'Rater' });
  const session = (await req('POST', '/api/conversations/visitor/sessions', v.json.token, {})).json.session;
  t.equal(session.agent.id, agent.id);
  const send = (token: string, who: 'visitor' | 'agent', type: string, body: unknown, id: string) =>
    req('POST', who === 'visitor' ? `/api/conversations/visitor/sessions/${session.id}/messages` : `/api/conversations/sessions/${session.id}/messages`, token, { clientMsgId: id, type, body });

  t.equal((await send(v.json.token, 'visitor', 'rating', { score: 5 }, 'r0')).json.code, 'UNKNOWN_MESSAGE_TYPE', 'an add-on type is refused while the plugin is off');
  let boot = await req('GET', '/api/console/bootstrap', agent.token);
  let tabs = boot.json.conversations.sidePanelTabs.map((x: any) => x.key);
  t.equal(tabs[0], 'profile', 'the built-in profile tab comes first');
  t.notOk(tabs.includes('rating'), 'no tab of a plugin that is off');
  t.ok(boot.json.conversations.messageTypes.includes('rating'), 'the type is known to the server');

  t.equal((await app.operator('PUT', '/api/operator/tenants/api/addons/sample-rating')).statusCode, 200);
  t.equal((await req('POST', '/api/plugins/sample-rating/enable', tenant.adminToken)).status, 200);

  const rated = await send(v.json.token, 'visitor', 'rating', { score: 4 }, 'r1');
  t.equal(rated.status, 200);
  t.same(rated.json.message.body, { score: 4, stars: '★★★★' }, 'the plugin prepared the body');
  t.equal((await req('GET', '/api/conversations/sessions/mine', agent.token)).json.sessions[0].lastMessagePreview, 'Rated 4/5', 'previews come from the type');
  t.equal((await send(v.json.token, 'visitor', 'rating', { score: 9 }, 'r2')).json.field, 'body.score', 'its schema validates');
  t.equal((await send(agent.token, 'agent', 'rating', { score: 1 }, 'r3')).json.code, 'UNKNOWN_MESSAGE_TYPE', 'agents cannot send a visitor-only type');
  t.equal((await send(agent.token, 'agent', 'sticker', { name: 'wave' }, 's1')).status, 200, 'the agent role holds the plugin\'s node under conversations');
  const role = await req('POST', '/api/roles', tenant.adminToken, { name: 'No stickers', grants: ['conversations.workbench'] });
  const narrow = await app.member('api', role.json.key);
  await req('PUT', '/api/conversations/agent/me', narrow.token, { status: 'idle' });
  await req('POST', `/api/conversations/sessions/${session.id}/transfer`, agent.token, { toAgentId: narrow.id });
  t.equal((await send(narrow.token, 'agent', 'sticker', { name: 'wave' }, 's2')).json.code, 'PERMISSION_DENIED', 'a custom role needs the plugin\'s permission');
  t.equal((await send(v.json.token, 'visitor', 'sticker', { name: 'wave' }, 's3')).json.code, 'UNKNOWN_MESSAGE_TYPE');

  boot = await req('GET', '/api/console/bootstrap', agent.token);
  tabs = boot.json.conversations.sidePanelTabs;
  t.match(tabs.find((x: any) => x.key === 'rating'), { pluginId: 'sample-rating', label: { en: 'Rating', 'zh-CN': '评价' }, order: 20 }, 'the tab appears once enabled');
  t.same(tabs.map((x: any) => x.order), [...tabs.map((x: any) => x.order)].sort((a: number, b: number) => a - b), 'tabs are in order');

  await req('POST', `/api/conversations/sessions/${session.id}/close`, narrow.token);
  await new Promise((r) => setTimeout(r, 200));
  const all = await req('GET', `/api/conversations/visitor/sessions/${session.id}/messages?after=0`, v.json.token);
  t.ok(all.json.messages.some((m: any) => m.type === 'system' && m.body.event === 'rating-invite'), 'the plugin posted a system message when the session closed');
});
