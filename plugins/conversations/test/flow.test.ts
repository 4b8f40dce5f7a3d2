import t from 'tap';
import { KERNEL_OWNER } from '../../../core/hooks/hook-bus.ts';
import { world, emit, next, clientId } from './helpers.ts';

const w = await world(t);

t.test('a visitor and an agent chat both ways over sockets, and the session closes', async (t) => {
  const acme = await w.app.tenant('acme');
  const alice = await w.agent('acme');
  const v = await w.visitor('acme', 'Ann Visitor');
  const vs = await w.socket('visitor', v.token);

  const assignedPush = next(alice.socket, 'conv:session', (s: any) => s.state === 'active');
  const session = await w.start(v.token, { name: 'Ann Visitor' });
  t.match(session.code, /^S-\d{8}-[0-9A-Z]{6}$/, 'session has a quotable code');
  t.equal(session.state, 'active', 'assigned at once to the idle agent');
  t.equal(session.agent.id, alice.id);
  const pushed = await assignedPush;
  t.equal(pushed.id, session.id, 'the agent hears of the assignment');
  t.equal(pushed.visitor.name, 'Ann Visitor');

  const supervisor = await w.socket('agent', acme.adminToken);
  t.same((await emit(supervisor, 'conv:watch', { sessionId: session.code })).data, {}, 'an admin watches the session by its ID');
  const watched = next(supervisor, 'conv:message', (m: any) => m.sender.kind === 'visitor');
  const atAgent = next(alice.socket, 'conv:message', (m: any) => m.sender.kind === 'visitor');
  const firstSend = { sessionId: session.id, clientMsgId: clientId(), type: 'text', body: { text: 'Hello <b>there</b><script>alert(1)</script>' } };
  const sent = await emit(vs, 'conv:send', firstSend);
  t.ok(sent.ok, 'visitor send acknowledged');
  t.equal(sent.data.duplicate, false);
  const got = await atAgent;
  t.equal(got.body.text, 'Hello <b>there</b><script>alert(1)</script>', 'text is stored and delivered as plain text, unchanged');
  t.equal(got.seq, sent.data.message.seq);
  t.equal((await watched).id, got.id, 'watchers receive the session\'s messages');

  const atVisitor = next(vs, 'conv:message', (m: any) => m.sender.kind === 'agent');
  const reply = await emit(alice.socket, 'conv:send', { sessionId: session.id, clientMsgId: clientId(), type: 'emoji', body: { emoji: '👍🏽' } });
  t.ok(reply.ok, 'agent send acknowledged');
  const back = await atVisitor;
  t.same(back.body, { emoji: '👍🏽' });
  t.ok(back.seq > got.seq, 'seq increases');
  t.equal(back.sender.name, pushed.agent.name, 'agent messages carry the agent name');

  const mine = await w.req('GET', '/api/conversations/sessions/mine', alice.token);
  t.equal(mine.json.sessions.length, 1);
  t.equal(mine.json.sessions[0].unread, 1, 'one unread visitor message');
  t.equal(mine.json.sessions[0].lastMessagePreview, '👍🏽');
  const read = await emit(alice.socket, 'conv:read', { sessionId: session.id, seq: got.seq });
  t.same(read.data, { unread: 0 });
  const vRead = await w.req('POST', `/api/conversations/visitor/sessions/${session.id}/read`, v.token, { seq: 0 });
  t.same(vRead.json, { unread: 1 }, 'the visitor has one unread agent message');

  const typing = next(vs, 'conv:typing');
  t.ok((await emit(alice.socket, 'conv:typing', { sessionId: session.id, typing: true })).ok);
  t.same(await typing, { sessionId: session.id, typing: true }, 'typing reaches the visitor');

  const closedPush = next(vs, 'conv:session', (s: any) => s.state === 'closed');
  const closed = await w.req('POST', `/api/conversations/sessions/${session.id}/close`, alice.token);
  t.equal(closed.status, 200);
  t.equal(closed.json.state, 'closed');
  t.equal((await closedPush).state, 'closed', 'the visitor hears the session closed');

  const again = await emit(vs, 'conv:send', { sessionId: session.id, clientMsgId: clientId(), type: 'text', body: { text: 'still there?' } });
  t.equal(again.ok, false);
  t.equal(again.error!.code, 'SESSION_CLOSED');
  const lateRetry = await emit(vs, 'conv:send', firstSend);
  t.ok(lateRetry.ok, 'a retry of a stored message is still answered after the session closed');
  t.same([lateRetry.data.duplicate, lateRetry.data.message.id], [true, sent.data.message.id], 'with the stored message');

  const history = await w.req('GET', `/api/conversations/visitor/sessions/${session.id}/messages?after=0`, v.token);
  t.same(history.json.messages.map((m: any) => m.type), ['system', 'text', 'emoji', 'system'], 'assigned, text, emoji, closed');
  t.same(history.json.messages.map((m: any) => m.body.event).filter(Boolean), ['assigned', 'closed']);
  const me = await w.req('GET', '/api/conversations/agent/me', alice.token);
  t.equal(me.json.activeCount, 0, 'closing frees the agent');

  const events = await w.app.db.knex('domain_events').where({ tenant_id: closed.json.visitor ? (await w.app.db.knex('tenants').where({ slug: 'acme' }).first()).id : '' }).pluck('type');
  for (const type of ['conversations.session.created', 'conversations.session.assigned', 'conversations.message.stored', 'conversations.session.closed']) {
    t.ok(events.includes(type), `outbox has ${type}`);
  }
});

t.test('REST is a complete second channel: start, resume, send, read after a seq', async (t) => {
  await w.app.tenant('rest');
  const v = await w.visitor('rest', 'Rita');
  const first = await w.req('POST', '/api/conversations/visitor/sessions', v.token, { name: 'Rita', context: { pageUrl: 'https://shop.example/cart' } });
  t.equal(first.status, 200);
  t.equal(first.json.protocolVersion, 1);
  t.equal(first.json.resumed, false);
  t.equal(first.json.session.state, 'queued', 'nobody is online: queued');
  t.equal(first.json.session.queuePosition, 1);
  const again = await w.req('POST', '/api/conversations/visitor/sessions', v.token, {});
  t.equal(again.json.resumed, true, 'a second start resumes the open session');
  t.equal(again.json.session.id, first.json.session.id);

  const id = first.json.session.id;
  const seqs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await w.req('POST', `/api/conversations/visitor/sessions/${id}/messages`, v.token, { clientMsgId: `rest-${i}`, type: 'text', body: { text: `message ${i}` } });
    t.equal(res.status, 200);
    seqs.push(res.json.message.seq);
  }
  t.same(seqs, [1, 2, 3, 4, 5], 'a queued visitor can write; seqs are consecutive');
  const page1 = await w.req('GET', `/api/conversations/visitor/sessions/${id}/messages?after=1&limit=2`, v.token);
  t.same(page1.json.messages.map((m: any) => m.seq), [2, 3]);
  t.equal(page1.json.hasMore, true);
  const page2 = await w.req('GET', `/api/conversations/visitor/sessions/${id}/messages?after=${page1.json.lastSeq}&limit=2`, v.token);
  t.same(page2.json.messages.map((m: any) => m.seq), [4, 5]);
  const page3 = await w.req('GET', `/api/conversations/visitor/sessions/${id}/messages?after=${page2.json.lastSeq}&limit=2`, v.token);
  t.same(page3.json, { messages: [], lastSeq: 5, hasMore: false });
  const older = await w.req('GET', `/api/conversations/visitor/sessions/${id}/messages?before=4&limit=2`, v.token);
  t.same(older.json.messages.map((m: any) => m.seq), [2, 3], 'scrolling back');

  const list = await w.req('GET', '/api/conversations/visitor/sessions', v.token);
  t.equal(list.json.sessions.length, 1);
  const left = await w.req('POST', `/api/conversations/visitor/sessions/${id}/leave`, v.token);
  t.equal(left.json.state, 'aborted', 'a queued visitor who leaves aborts the session');
  const fresh = await w.req('POST', '/api/conversations/visitor/sessions', v.token, {});
  t.equal(fresh.json.resumed, false, 'after leaving, a new session starts');
  t.not(fresh.json.session.code, first.json.session.code);
});

t.test('widget configuration is public and follows the tenant settings', async (t) => {
  const tenant = await w.app.tenant('widget');
  const def = await w.req('GET', '/api/conversations/public/widget/widget-config');
  t.equal(def.status, 200);
  t.match(def.json, { protocolVersion: 1, title: 'Chat with us', color: '#2563eb', position: 'right', language: 'en', preChat: { enabled: false }, skillGroups: [] });
  t.ok(def.json.attachments.imageTypes.includes('image/png'));

  const bad = await w.req('PUT', '/api/plugins/conversations/settings', tenant.adminToken, { settings: { widget: { color: 'red;background:url(x)' } } });
  t.equal(bad.status, 400, 'a colour that is not #rrggbb is refused');
  const ok = await w.req('PUT', '/api/plugins/conversations/settings', tenant.adminToken, {
    settings: { widget: { title: '在线客服', color: '#ff0000', language: 'zh-CN', greeting: '<img src=x onerror=alert(1)>', visitorChoosesGroup: true } },
  });
  t.equal(ok.status, 200, ok.body);
  const cfg = await w.req('GET', '/api/conversations/public/widget/widget-config');
  t.match(cfg.json, { title: '在线客服', color: '#ff0000', language: 'zh-CN', greeting: '<img src=x onerror=alert(1)>' });
  t.equal(cfg.json.skillGroups.length, 1, 'the default group is offered when visitors choose');
  const missing = await w.req('GET', '/api/conversations/public/nope/widget-config');
  t.equal(missing.status, 404);
});

t.test('bad input gets a clear error and changes nothing', async (t) => {
  await w.app.tenant('strict');
  const v = await w.visitor('strict');
  const vs = await w.socket('visitor', v.token);
  const session = await w.start(v.token);
  const url = `/api/conversations/visitor/sessions/${session.id}/messages`;
  const cases: Array<[string, unknown, string, string?]> = [
    ['missing clientMsgId', { type: 'text', body: { text: 'x' } }, 'VALIDATION_FAILED', 'clientMsgId'],
    ['bad clientMsgId', { clientMsgId: 'has space', type: 'text', body: { text: 'x' } }, 'VALIDATION_FAILED', 'clientMsgId'],
    ['text too long', { clientMsgId: 'a1', type: 'text', body: { text: 'x'.repeat(5001) } }, 'VALIDATION_FAILED', 'body.text'],
    ['blank text', { clientMsgId: 'a2', type: 'text', body: { text: '   ' } }, 'VALIDATION_FAILED', 'body.text'],
    ['NUL in text', { clientMsgId: 'a3', type: 'text', body: { text: 'a\u0000b' } }, 'VALIDATION_FAILED', 'body.text'],
    ['extra body field', { clientMsgId: 'a4', type: 'text', body: { text: 'x', html: '<b>' } }, 'VALIDATION_FAILED', 'body.html'],
    ['unknown type', { clientMsgId: 'a5', type: 'video-call', body: {} }, 'UNKNOWN_MESSAGE_TYPE', 'type'],
    ['system type', { clientMsgId: 'a6', type: 'system', body: { event: 'closed' } }, 'UNKNOWN_MESSAGE_TYPE', 'type'],
    ['not an emoji', { clientMsgId: 'a7', type: 'emoji', body: { emoji: 'abc' } }, 'VALIDATION_FAILED', 'body.emoji'],
    ['image without upload', { clientMsgId: 'a8', type: 'image', body: { fileId: '00000000-0000-4000-8000-000000000000' } }, 'ATTACHMENT_NOT_IN_SESSION', 'body.fileId'],
  ];
  for (const [name, body, code, field] of cases) {
    const res = await w.req('POST', url, v.token, body);
    t.equal(res.status, 400, `${name}: 400`);
    t.match(res.json, { statusCode: 400, code, message: String }, `${name}: ${code}`);
    if (field) t.equal(res.json.field, field, `${name}: names ${field}`);
  }
  const overSocket = await emit(vs, 'conv:send', { sessionId: session.id, clientMsgId: 'b1', type: 'text', body: { text: 7 } });
  t.match(overSocket, { ok: false, error: { statusCode: 400, code: 'VALIDATION_FAILED' } }, 'socket payloads are validated');
  const noSession = await emit(vs, 'conv:send', { clientMsgId: 'b2', type: 'text', body: { text: 'x' } });
  t.match(noSession.error, { code: 'VALIDATION_FAILED', field: 'sessionId' });
  const huge = await w.req('POST', url, v.token, { clientMsgId: 'b3', type: 'text', body: { text: 'x'.repeat(1_100_000) } });
  t.equal(huge.status, 413, 'an oversized body is refused');
  const longName = await w.req('POST', '/api/conversations/visitor/sessions', v.token, { name: 'n'.repeat(101) });
  t.match(longName.json, { statusCode: 400, code: 'VALIDATION_FAILED', field: 'name' });
  const noAuth = await w.req('POST', url, undefined, { clientMsgId: 'b4', type: 'text', body: { text: 'x' } });
  t.equal(noAuth.status, 401);

  const after = await w.req('GET', `/api/conversations/visitor/sessions/${session.id}`, v.token);
  t.equal(after.json.lastSeq, 0, 'no message was stored by any bad request');
});

t.test('plugins filter messages before they are stored and hear about stored ones', async (t) => {
  await w.app.tenant('filtered');
  const stored: string[] = [];
  w.app.kernel.hooks.addFilter(KERNEL_OWNER, 'conversations.message.beforeStore', (draft) => {
    if (draft.type !== 'text') return draft;
    const text = String(draft.body.text);
    if (text.includes('forbidden')) return { ...draft, reject: { code: 'CONTENT_BLOCKED', message: 'Not allowed here.' } };
    return { ...draft, body: { text: text.replace(/\d{16}/g, '****') } };
  });
  w.app.kernel.hooks.onAction(KERNEL_OWNER, 'conversations.message.stored', ({ message }) => {
    stored.push(message.id);
  });
  const v = await w.visitor('filtered');
  const session = await w.start(v.token);
  const url = `/api/conversations/visitor/sessions/${session.id}/messages`;
  const rejected = await w.req('POST', url, v.token, { clientMsgId: 'f1', type: 'text', body: { text: 'this is forbidden' } });
  t.equal(rejected.status, 422);
  t.equal(rejected.json.code, 'CONTENT_BLOCKED');
  const masked = await w.req('POST', url, v.token, { clientMsgId: 'f2', type: 'text', body: { text: 'card 1234567812345678 please' } });
  t.equal(masked.json.message.body.text, 'card **** please', 'the filter transformed the body before storage');
  t.equal(masked.json.message.seq, 1, 'the refused message took no seq');
  await new Promise((r) => setTimeout(r, 50));
  t.same(stored, [masked.json.message.id], 'the stored action fired once, for the stored message');
});
