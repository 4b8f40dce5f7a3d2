/**
 * Sending custom emoji, and who may: visitors and agents of system roles send them; a custom role
 * without "enable custom emoji" gets no picker and the server refuses its message; bodies are
 * checked against the tenant's live packs. Licensing: an add-on on standard (PLUGIN_NOT_LICENSED
 * until bought, its routes PLUGIN_DISABLED, nobody can send the type), included on flagship.
 */
import t from 'tap';
import { world, next, clientId } from '../../conversations/test/helpers.ts';
import { uploadPack, validZip } from './http-helpers.ts';

const w = await world(t);
const { app, req } = w;

interface Sent {
  status: number;
  json: any;
}

const visitorSend = (token: string, sessionId: string, type: string, body: unknown): Promise<Sent> =>
  req('POST', `/api/conversations/visitor/sessions/${sessionId}/messages`, token, { clientMsgId: clientId(), type, body });
const agentSend = (token: string, sessionId: string, type: string, body: unknown): Promise<Sent> =>
  req('POST', `/api/conversations/sessions/${sessionId}/messages`, token, { clientMsgId: clientId(), type, body });

/** A visitor whose new session is assigned to `agent` (the only agent online when it starts). */
async function visitorOf(slug: string, agent: { socket: Parameters<typeof next>[0] }) {
  const v = await w.visitor(slug, 'Vera');
  const assigned = next(agent.socket, 'conv:session', (s: any) => s.state === 'active', 10_000);
  const session = await w.start(v.token);
  await assigned;
  return { token: v.token, sessionId: session.id as string };
}

t.test('flagship: included, used by visitors and agents of system roles', async (t) => {
  const tenant = await app.tenant('flag', { edition: 'flagship' });
  const plugins = (await req('GET', '/api/plugins', tenant.adminToken)).json.items;
  t.match(plugins.find((p: { id: string }) => p.id === 'custom-emoji'), { license: 'included', licensed: true, enabled: true }, 'on by default');

  const uploaded = await uploadPack(app, tenant.adminToken, await validZip(3), { name: 'Faces' });
  const pack = uploaded.json().pack;
  const [smile, wink] = pack.emoji;
  const agent = await w.agent('flag');
  const visitor = await visitorOf('flag', agent);

  await t.test('a visitor sends one; the stored body names the emoji and its images', async (t) => {
    const atAgent = next(agent.socket, 'conv:message', (m: any) => m.type === 'custom-emoji');
    const sent = await visitorSend(visitor.token, visitor.sessionId, 'custom-emoji', { packId: pack.id, emojiId: smile.id });
    t.equal(sent.status, 200, JSON.stringify(sent.json));
    t.same(sent.json.message.body, { packId: pack.id, emojiId: smile.id, name: 'emoji-1', animated: false, width: 200, height: 200, url: smile.url, thumbUrl: smile.thumbUrl });
    t.same((await atAgent).body, sent.json.message.body, 'the agent receives it live');
    const session = await req('GET', `/api/conversations/sessions/${visitor.sessionId}`, agent.token);
    t.equal(session.json.lastMessagePreview, '[Emoji] emoji-1', 'session lists show a text stand-in');
  });

  await t.test('an agent of the system role sends one; the visitor receives it', async (t) => {
    t.ok((await req('GET', '/api/console/bootstrap', agent.token)).json.grants.length, 'agent signed in');
    t.equal((await req('GET', '/api/custom-emoji/picker', agent.token)).status, 200, 'the picker loads');
    const sent = await agentSend(agent.token, visitor.sessionId, 'custom-emoji', { packId: pack.id, emojiId: wink.id });
    t.equal(sent.status, 200, JSON.stringify(sent.json));
    const history = await req('GET', `/api/conversations/visitor/sessions/${visitor.sessionId}/messages?after=0`, visitor.token);
    const emoji = history.json.messages.filter((m: { type: string }) => m.type === 'custom-emoji');
    t.same(emoji.map((m: any) => [m.sender.kind, m.body.name]), [['visitor', 'emoji-1'], ['agent', 'emoji-2']]);
  });

  await t.test('bodies are checked against the tenant\'s live packs', async (t) => {
    const otherTenant = await app.tenant('elsewhere', { edition: 'flagship' });
    const foreign = (await uploadPack(app, otherTenant.adminToken, await validZip(1), { name: 'Theirs' })).json().pack;
    const cases: Array<[string, unknown, number, string]> = [
      ['another tenant\'s emoji', { packId: foreign.id, emojiId: foreign.emoji[0].id }, 400, 'EMOJI_NOT_FOUND'],
      ['an emoji of another pack id', { packId: foreign.id, emojiId: smile.id }, 400, 'EMOJI_NOT_FOUND'],
      ['an unknown emoji', { packId: pack.id, emojiId: '00000000-0000-4000-8000-000000000000' }, 400, 'EMOJI_NOT_FOUND'],
      ['not uuids', { packId: 'x', emojiId: '../../etc' }, 400, 'VALIDATION_FAILED'],
      ['extra fields', { packId: pack.id, emojiId: smile.id, url: 'https://evil.example/x.png' }, 400, 'VALIDATION_FAILED'],
      ['no body', {}, 400, 'VALIDATION_FAILED'],
    ];
    for (const [label, body, status, code] of cases) {
      const sent = await visitorSend(visitor.token, visitor.sessionId, 'custom-emoji', body);
      t.same([sent.status, sent.json.code], [status, code], label);
    }
  });

  await t.test('a custom role without "enable custom emoji": no picker, and the server refuses', async (t) => {
    const role = await req('POST', '/api/roles', tenant.adminToken, { name: 'Trainee', grants: ['conversations.workbench', 'conversations.queue'] });
    t.equal(role.status, 201, JSON.stringify(role.json));
    agent.socket.disconnect();
    const trainee = await w.agent('flag', { role: role.json.key });
    const boot = (await req('GET', '/api/console/bootstrap', trainee.token)).json;
    t.ok(boot.plugins.some((p: { id: string }) => p.id === 'custom-emoji'), 'the plugin is on for the tenant');
    t.notOk(boot.grants.some((g: string) => g === 'conversations.custom-emoji' || g === 'conversations' || g === '*'), 'the role does not hold the node, so the console shows no picker button');
    t.equal((await req('GET', '/api/custom-emoji/picker', trainee.token)).json.code, 'PERMISSION_DENIED');

    const theirs = await visitorOf('flag', trainee);
    const refused = await agentSend(trainee.token, theirs.sessionId, 'custom-emoji', { packId: pack.id, emojiId: smile.id });
    t.same([refused.status, refused.json.code], [403, 'PERMISSION_DENIED']);
    t.equal((await agentSend(trainee.token, theirs.sessionId, 'text', { text: 'Hello' })).status, 200, 'text still works');
    t.equal((await visitorSend(theirs.token, theirs.sessionId, 'custom-emoji', { packId: pack.id, emojiId: smile.id })).status, 200, 'their visitor may still send emoji');

    const granted = await req('PATCH', `/api/roles/${role.json.key}`, tenant.adminToken, { grants: ['conversations.workbench', 'conversations.queue', 'conversations.custom-emoji'] });
    t.equal(granted.status, 200);
    const again = await w.app.login('flag', (await req('GET', '/api/members', tenant.adminToken)).json.items.find((m: { roleKey: string }) => m.roleKey === role.json.key).email, 'correct horse battery');
    t.equal((await agentSend(again, theirs.sessionId, 'custom-emoji', { packId: pack.id, emojiId: smile.id })).status, 200, 'granted, the role may send them');
    trainee.socket.disconnect();
  });

  await t.test('a deleted pack: no new messages, but history keeps its images', async (t) => {
    t.equal((await req('DELETE', `/api/custom-emoji/packs/${pack.id}`, tenant.adminToken)).status, 200);
    const refused = await visitorSend(visitor.token, visitor.sessionId, 'custom-emoji', { packId: pack.id, emojiId: smile.id });
    t.same([refused.status, refused.json.code], [400, 'EMOJI_NOT_FOUND']);
    t.same((await req('GET', '/api/custom-emoji/visitor/packs', visitor.token)).json.packs, [], 'gone from pickers');
    const image = await req('GET', smile.url);
    t.same([image.status, image.headers['content-type']], [200, 'image/png'], 'the image of a sent message is still served');
  });

  await t.test('switched off: nobody can send them and every route answers PLUGIN_DISABLED', async (t) => {
    const fresh = (await uploadPack(app, tenant.adminToken, await validZip(1), { name: 'Fresh' })).json().pack;
    t.equal((await req('POST', '/api/plugins/custom-emoji/disable', tenant.adminToken)).status, 200);
    app.kernel.pluginState.invalidate();
    const sent = await visitorSend(visitor.token, visitor.sessionId, 'custom-emoji', { packId: fresh.id, emojiId: fresh.emoji[0].id });
    t.same([sent.status, sent.json.code], [400, 'UNKNOWN_MESSAGE_TYPE']);
    for (const [url, token] of [['/api/custom-emoji/packs', tenant.adminToken], ['/api/custom-emoji/picker', tenant.adminToken], ['/api/custom-emoji/visitor/packs', visitor.token], [fresh.emoji[0].url, undefined]] as const) {
      const res = await req('GET', url, token);
      t.same([res.status, res.json.code], [404, 'PLUGIN_DISABLED'], url);
    }
    t.notOk((await req('GET', '/api/console/bootstrap', tenant.adminToken)).json.plugins.some((p: { id: string }) => p.id === 'custom-emoji'), 'the console loads none of its UI');
    t.equal((await req('POST', '/api/plugins/custom-emoji/enable', tenant.adminToken)).status, 200);
    app.kernel.pluginState.invalidate();
    t.equal((await req('GET', '/api/custom-emoji/packs', tenant.adminToken)).json.packs.length, 1, 'back on, with its packs');
  });
});

t.test('standard edition: an add-on', async (t) => {
  const tenant = await app.tenant('basic', { edition: 'standard' });
  const admin = tenant.adminToken;
  const view = async () => (await req('GET', '/api/plugins', admin)).json.items.find((p: { id: string }) => p.id === 'custom-emoji');
  t.match(await view(), { license: 'addon', licensed: false, enabled: false });

  const enable = await req('POST', '/api/plugins/custom-emoji/enable', admin);
  t.same([enable.status, enable.json.code], [403, 'PLUGIN_NOT_LICENSED'], 'cannot be enabled without the add-on');
  t.same((await uploadPack(app, admin, await validZip(1), { name: 'Nope' })).json().code, 'PLUGIN_DISABLED');
  t.equal((await req('GET', '/api/custom-emoji/packs', admin)).json.code, 'PLUGIN_DISABLED');
  const agent = await w.agent('basic');
  const visitor = await visitorOf('basic', agent);
  t.equal((await req('GET', '/api/custom-emoji/visitor/packs', visitor.token)).json.code, 'PLUGIN_DISABLED');
  const dummy = { packId: '00000000-0000-4000-8000-000000000000', emojiId: '00000000-0000-4000-8000-000000000000' };
  t.equal((await visitorSend(visitor.token, visitor.sessionId, 'custom-emoji', dummy)).json.code, 'UNKNOWN_MESSAGE_TYPE', 'visitors cannot send the type');
  t.equal((await agentSend(agent.token, visitor.sessionId, 'custom-emoji', dummy)).json.code, 'UNKNOWN_MESSAGE_TYPE', 'nor can agents');

  t.equal((await w.app.operator('PUT', '/api/operator/tenants/basic/addons/custom-emoji')).statusCode, 200, 'the operator records the purchase');
  app.kernel.pluginState.invalidate();
  t.match(await view(), { license: 'addon', licensed: true, enabled: false }, 'an add-on starts switched off');
  t.equal((await req('POST', '/api/plugins/custom-emoji/enable', admin)).status, 200);
  app.kernel.pluginState.invalidate();
  const pack = (await uploadPack(app, admin, await validZip(1), { name: 'Bought' })).json().pack;
  t.ok(pack?.id, 'with the add-on, packs upload');
  const sent = await agentSend(agent.token, visitor.sessionId, 'custom-emoji', { packId: pack.id, emojiId: pack.emoji[0].id });
  t.equal(sent.status, 200, 'and emoji are sent');

  t.equal((await w.app.operator('DELETE', '/api/operator/tenants/basic/addons/custom-emoji')).statusCode, 200, 'the add-on is revoked');
  app.kernel.pluginState.invalidate();
  t.equal((await req('GET', '/api/custom-emoji/packs', admin)).json.code, 'PLUGIN_DISABLED');
  t.equal((await visitorSend(visitor.token, visitor.sessionId, 'custom-emoji', { packId: pack.id, emojiId: pack.emoji[0].id })).json.code, 'UNKNOWN_MESSAGE_TYPE');
});
