/** The agent workbench REST API: status, my sessions, the queue, chat, transfer, close. See docs/protocol.md §4.3. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from './services.ts';
import { AgentStateBody, FileParams, IdParams, MessagesQuery, MineQuery, ReadBody, SendBody, TransferBody, Uuid } from '../schemas.ts';
import { agentSessionView } from '../views.ts';
import { P } from '../access.ts';
import { readUpload } from './upload.ts';
import type { SessionRecord } from '../types.ts';

const tags = ['conversations: agent'];

export function agentRoutes(s: Services) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const view = async (session: SessionRecord) => agentSessionView(session, await s.sessions.positionOf(session));

    app.get('/agent/me', { schema: { tags, summary: 'My agent state' }, config: { permission: P.workbench } }, async (req) => s.agents.me(req.member()));

    app.put('/agent/me', {
      schema: { tags, summary: 'Set my status (idle, busy, away, hidden) and/or capacity', body: AgentStateBody },
      config: { permission: P.workbench },
    }, async (req) => s.agents.setOwn(req.member(), req.body));

    app.get('/agents', { schema: { tags, summary: 'Agents with their state (transfer targets)' }, config: { permission: P.transfer } }, async (req) =>
      ({ agents: await s.agents.list(req.member().tenantId) }));

    app.put('/agents/:memberId', {
      schema: { tags, summary: 'Set another agent\'s status or capacity (an offline agent cannot be set online)', params: Type.Object({ memberId: Uuid }), body: AgentStateBody },
      config: { permission: P.agents },
    }, async (req) => s.agents.setOther(req.member(), req.params.memberId, req.body));

    app.get('/sessions/mine', {
      schema: { tags, summary: 'My sessions in progress with unread counts; q filters by visitor name', querystring: MineQuery },
      config: { permission: P.workbench },
    }, async (req) => ({ sessions: (await s.sessions.mine(req.member(), req.query.q)).map((x) => agentSessionView(x)) }));

    app.get('/queue', { schema: { tags, summary: 'Waiting sessions, VIP first, then oldest' }, config: { permission: P.queue } }, async (req) =>
      ({ sessions: (await s.sessions.queue(req.member())).map((x) => agentSessionView(x, x.position)) }));

    app.post('/queue/:id/pick', { schema: { tags, summary: 'Take a waiting session', params: IdParams }, config: { permission: P.queue } }, async (req) =>
      view(await s.sessions.pick(req.member(), req.params.id)));

    app.get('/sessions/:id', {
      schema: { tags, summary: 'A session by UUID or session ID (code)', params: IdParams },
      config: { permission: '@member' },
    }, async (req) => view(await s.sessions.visible(req.member(), req.params.id)));

    app.get('/sessions/:id/messages', {
      schema: { tags, summary: 'Messages after (or before) a sequence number', params: IdParams, querystring: MessagesQuery },
      config: { permission: '@member' },
    }, async (req) => {
      const { after, before, limit } = req.query;
      return before !== undefined ? s.messages.before(req.member(), req.params.id, before, limit) : s.messages.sync(req.member(), req.params.id, after ?? 0, limit);
    });

    app.post('/sessions/:id/messages', {
      schema: { tags, summary: 'Send a message in my session', params: IdParams, body: SendBody },
      config: { permission: P.chat },
    }, async (req) => s.messages.send(req.member(), req.params.id, req.body));

    app.post('/sessions/:id/read', { schema: { tags, summary: 'Mark visitor messages read up to seq', params: IdParams, body: ReadBody }, config: { permission: P.workbench } }, async (req) =>
      s.sessions.read(req.member(), req.params.id, req.body.seq));

    app.post('/sessions/:id/attachments', {
      schema: { tags, summary: 'Upload an image or file into my session (multipart part "file")', params: IdParams, consumes: ['multipart/form-data'] },
      config: { permission: P.chat },
    }, async (req, reply) => {
      const m = req.member();
      const session = await s.attachments.target(m, req.params.id);
      const upload = await readUpload(req, await s.attachments.maxBytes(m.tenantId));
      reply.status(201);
      return s.attachments.save(m, session, upload);
    });

    app.get('/files/:fileId', {
      schema: { tags, summary: 'A file of a session the member may read', params: FileParams },
      config: { permission: '@member' },
    }, async (req, reply) => s.attachments.sendToMember(req.member(), req.params.fileId, reply));

    app.post('/sessions/:id/transfer', {
      schema: { tags, summary: 'Transfer to an agent (stays in progress) or to a skill group (back to its queue)', params: IdParams, body: TransferBody },
      config: { permission: P.transfer },
    }, async (req) => view(await s.sessions.transfer(req.member(), req.params.id, req.body)));

    app.post('/sessions/:id/close', { schema: { tags, summary: 'Close a session', params: IdParams }, config: { permission: P.close } }, async (req) =>
      view(await s.sessions.close(req.member(), req.params.id)));
  };
}
