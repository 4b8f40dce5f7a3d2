import t from 'tap';
import { world, emit, clientId, multipart, PNG, PDF } from './helpers.ts';

const w = await world(t);
const home = await w.app.tenant('home');
const away = await w.app.tenant('away');
const agent = await w.agent('home');
const v = await w.visitor('home', 'Owner');
const session = await w.start(v.token, { name: 'Owner' });
const upload = (path: string, token: string, name: string, data: Buffer) => {
  const { body, headers } = multipart(name, data);
  return w.app.request({ method: 'POST', url: path, token, body, headers });
};

t.test('another tenant\'s session ids are refused over REST and sockets, by UUID and by code', async (t) => {
  const strangerAgent = await w.agent('away');
  const strangerVisitor = await w.visitor('away');
  for (const key of [session.id, session.code]) {
    for (const [method, url, body] of [
      ['GET', `/api/conversations/sessions/${key}`],
      ['GET', `/api/conversations/sessions/${key}/messages?after=0`],
      ['POST', `/api/conversations/sessions/${key}/messages`, { clientMsgId: 'x1', type: 'text', body: { text: 'hi' } }],
      ['POST', `/api/conversations/sessions/${key}/close`],
      ['POST', `/api/conversations/sessions/${key}/transfer`, { toAgentId: strangerAgent.id }],
      ['POST', `/api/conversations/queue/${key}/pick`],
    ] as Array<[string, string, unknown?]>) {
      const res = await w.req(method, url, away.adminToken, body);
      t.equal(res.status, 404, `${method} ${url.replace(key, '<other tenant>')} -> 404`);
      t.equal(res.json.code, 'SESSION_NOT_FOUND');
    }
    const viaVisitor = await w.req('GET', `/api/conversations/visitor/sessions/${key}/messages?after=0`, strangerVisitor.token);
    t.equal(viaVisitor.json.code, 'SESSION_NOT_FOUND');
  }
  const byCode = await w.req('GET', `/api/conversations/sessions?code=${session.code}`, away.adminToken);
  t.equal(byCode.json.total, 0, 'history search does not cross tenants');

  const vs = await w.socket('visitor', strangerVisitor.token);
  for (const [event, payload] of [
    ['conv:send', { sessionId: session.id, clientMsgId: clientId(), type: 'text', body: { text: 'x' } }],
    ['conv:sync', { sessionId: session.id, afterSeq: 0 }],
    ['conv:read', { sessionId: session.id, seq: 1 }],
    ['conv:typing', { sessionId: session.id, typing: true }],
  ] as const) {
    const ack = await emit(vs, event, payload);
    t.match(ack, { ok: false, error: { statusCode: 404, code: 'SESSION_NOT_FOUND' } }, `visitor socket ${event} refused`);
  }
  for (const [event, payload] of [
    ['conv:send', { sessionId: session.code, clientMsgId: clientId(), type: 'text', body: { text: 'x' } }],
    ['conv:sync', { sessionId: session.id, afterSeq: 0 }],
    ['conv:watch', { sessionId: session.id }],
  ] as const) {
    const ack = await emit(strangerAgent.socket, event, payload);
    t.match(ack, { ok: false, error: { code: 'SESSION_NOT_FOUND' } }, `agent socket ${event} refused`);
  }
  const stored = await w.req('GET', `/api/conversations/sessions/${session.id}/messages?after=0`, home.adminToken);
  t.notOk(stored.json.messages.some((m: any) => m.type === 'text'), 'nothing was written into the session');
});

t.test('visitors see only their own sessions; agents only theirs unless they hold history', async (t) => {
  const other = await w.visitor('home', 'Other');
  const res = await w.req('GET', `/api/conversations/visitor/sessions/${session.id}`, other.token);
  t.equal(res.json.code, 'SESSION_NOT_FOUND');
  const sent = await w.req('POST', `/api/conversations/visitor/sessions/${session.id}/messages`, other.token, { clientMsgId: 'o1', type: 'text', body: { text: 'hijack' } });
  t.equal(sent.json.code, 'SESSION_NOT_FOUND');

  const role = await w.req('POST', '/api/roles', home.adminToken, { name: 'Chat only', grants: ['conversations.workbench'] });
  t.equal(role.status, 201, role.body);
  const narrow = await w.app.member('home', role.json.key);
  t.equal((await w.req('GET', `/api/conversations/sessions/${session.id}`, narrow.token)).json.code, 'NOT_YOUR_SESSION');
  t.equal((await w.req('GET', '/api/conversations/sessions', narrow.token)).json.code, 'PERMISSION_DENIED', 'no history without the permission');
  t.equal((await w.req('POST', `/api/conversations/sessions/${session.id}/messages`, narrow.token, { clientMsgId: 'n1', type: 'text', body: { text: 'x' } })).json.code, 'NOT_YOUR_SESSION', 'workbench includes chat, in their own sessions only');
  const readOnly = await w.req('POST', '/api/roles', home.adminToken, { name: 'Readers', grants: ['conversations.history.view'] });
  const reader = await w.app.member('home', readOnly.json.key);
  t.equal((await w.req('GET', `/api/conversations/sessions/${session.code}`, reader.token)).json.id, session.id, 'history.view reads any session, by code too');
  t.equal((await w.req('POST', `/api/conversations/sessions/${session.id}/messages`, reader.token, { clientMsgId: 'r1', type: 'text', body: { text: 'x' } })).json.code, 'PERMISSION_DENIED', 'but cannot chat');
  const colleague = await w.agent('home', { status: 'busy' });
  t.equal((await w.req('GET', `/api/conversations/sessions/${session.id}`, colleague.token)).status, 200, 'agents hold history.view by default');
  const write = await w.req('POST', `/api/conversations/sessions/${session.id}/messages`, colleague.token, { clientMsgId: 'c1', type: 'text', body: { text: 'x' } });
  t.equal(write.json.code, 'NOT_YOUR_SESSION', 'but write only in their own sessions');
  t.equal((await w.req('POST', `/api/conversations/sessions/${session.id}/close`, colleague.token)).json.code, 'NOT_YOUR_SESSION');
});

t.test('attachments: type and size limits; served to the tenant\'s members and the session\'s own visitor only', async (t) => {
  const up = await upload(`/api/conversations/visitor/sessions/${session.id}/attachments`, v.token, 'photo.png', PNG);
  t.equal(up.statusCode, 201, up.body);
  const file = up.json();
  t.match(file, { fileId: String, filename: 'photo.png', contentType: 'image/png', size: PNG.length });
  const img = await w.req('POST', `/api/conversations/visitor/sessions/${session.id}/messages`, v.token, { clientMsgId: 'img-1', type: 'image', body: { fileId: file.fileId } });
  t.equal(img.status, 200, img.body);
  t.same(img.json.message.body, { fileId: file.fileId, filename: 'photo.png', contentType: 'image/png', size: PNG.length }, 'the server completes the body from the stored file');

  const html = await upload(`/api/conversations/visitor/sessions/${session.id}/attachments`, v.token, 'photo.png', Buffer.from('<html><script>alert(1)</script></html>'));
  t.equal(html.statusCode, 415, 'HTML named .png is refused by its bytes');
  t.equal(html.json().code, 'FILE_TYPE_NOT_ALLOWED');
  const pdf = await upload(`/api/conversations/sessions/${session.id}/attachments`, agent.token, 'terms.pdf', PDF);
  t.equal(pdf.statusCode, 201, pdf.body);
  const asImage = await w.req('POST', `/api/conversations/sessions/${session.id}/messages`, agent.token, { clientMsgId: 'pdf-1', type: 'image', body: { fileId: pdf.json().fileId } });
  t.equal(asImage.json.code, 'ATTACHMENT_NOT_IMAGE');
  const asFile = await w.req('POST', `/api/conversations/sessions/${session.id}/messages`, agent.token, { clientMsgId: 'pdf-2', type: 'file', body: { fileId: pdf.json().fileId } });
  t.equal(asFile.json.message.body.contentType, 'application/pdf');

  await w.req('PUT', '/api/plugins/conversations/settings', home.adminToken, { settings: { attachmentMaxBytes: 2048 } });
  const big = await upload(`/api/conversations/visitor/sessions/${session.id}/attachments`, v.token, 'big.png', Buffer.concat([PNG, Buffer.alloc(4096)]));
  t.equal(big.statusCode, 413);
  t.equal(big.json().code, 'FILE_TOO_LARGE');
  const notMultipart = await w.req('POST', `/api/conversations/visitor/sessions/${session.id}/attachments`, v.token, { file: 'x' });
  t.equal(notMultipart.json.code, 'MULTIPART_REQUIRED');

  const own = await w.app.request({ method: 'GET', url: `/api/conversations/visitor/files/${file.fileId}`, token: v.token });
  t.equal(own.statusCode, 200, 'the session\'s visitor gets the file');
  t.equal(own.headers['x-content-type-options'], 'nosniff');
  t.same(own.rawPayload, PNG);
  const member = await w.app.request({ method: 'GET', url: `/api/conversations/files/${file.fileId}`, token: agent.token });
  t.equal(member.statusCode, 200, 'the tenant\'s agent gets the file');
  const otherVisitor = await w.visitor('home');
  await w.start(otherVisitor.token);
  t.equal((await w.req('GET', `/api/conversations/visitor/files/${file.fileId}`, otherVisitor.token)).json.code, 'FILE_NOT_FOUND', 'another visitor does not');
  t.equal((await w.req('GET', `/api/conversations/files/${file.fileId}`, away.adminToken)).status, 404, 'another tenant does not');
  t.equal((await w.req('GET', `/api/conversations/visitor/files/${file.fileId}`, (await w.visitor('away')).token)).status, 404);

  const otherSession = await w.start(otherVisitor.token);
  const borrowed = await w.req('POST', `/api/conversations/visitor/sessions/${otherSession.id}/messages`, otherVisitor.token, { clientMsgId: 'steal', type: 'image', body: { fileId: file.fileId } });
  t.equal(borrowed.json.code, 'ATTACHMENT_NOT_IN_SESSION', 'a file of another session cannot be sent');
  const intoForeign = await upload(`/api/conversations/visitor/sessions/${session.id}/attachments`, otherVisitor.token, 'x.png', PNG);
  t.equal(intoForeign.statusCode, 404, 'nor uploaded into another visitor\'s session');
});
