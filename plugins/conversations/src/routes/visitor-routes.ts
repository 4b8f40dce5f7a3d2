/** The visitor's REST API (widget and mobile SDKs): see docs/protocol.md §3.5. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from './services.ts';
import { FileParams, IdParams, MessagesQuery, ReadBody, SendBody, StartSessionBody } from '../schemas.ts';
import { visitorSessionView } from '../views.ts';
import { PROTOCOL_VERSION } from '../protocol.ts';
import { readUpload } from './upload.ts';

const tags = ['conversations: visitor'];
const visitor = { permission: '@visitor' };
// Limits count per IP address, and many visitors may share one (offices, mobile carriers): keep them generous.

export function visitorRoutes(s: Services) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const view = async (session: Parameters<typeof visitorSessionView>[0]) => visitorSessionView(session, await s.sessions.positionOf(session));
    // A visitor polling without a socket is still there: their queued session must not be aborted.
    app.addHook('onResponse', async (req) => {
      if (req.principal?.kind === 'visitor') await s.presence.visitorRequested(req.principal).catch((err) => req.log.error({ err }, 'visitor presence update failed'));
    });

    app.post('/visitor/sessions', {
      schema: { tags, summary: 'Start a session, or resume the visitor\'s open one', body: StartSessionBody },
      config: { ...visitor, rateLimit: { max: 120, timeWindow: 60_000 } },
    }, async (req) => {
      const { resumed, session } = await s.sessions.start(req.visitor(), req.body);
      return { protocolVersion: PROTOCOL_VERSION, resumed, session: await view(session) };
    });

    app.get('/visitor/sessions', { schema: { tags, summary: 'The visitor\'s sessions, newest first' }, config: visitor }, async (req) => {
      const list = await s.sessions.listForVisitor(req.visitor());
      return { sessions: await Promise.all(list.map(view)) };
    });

    app.get('/visitor/sessions/:id', { schema: { tags, summary: 'One of the visitor\'s sessions', params: IdParams }, config: visitor }, async (req) =>
      view(await s.sessions.visible(req.visitor(), req.params.id)));

    app.get('/visitor/sessions/:id/messages', {
      schema: { tags, summary: 'Messages after a sequence number (or before one, to scroll back)', params: IdParams, querystring: MessagesQuery },
      config: visitor,
    }, async (req) => {
      const { after, before, limit } = req.query;
      return before !== undefined ? s.messages.before(req.visitor(), req.params.id, before, limit) : s.messages.sync(req.visitor(), req.params.id, after ?? 0, limit);
    });

    app.post('/visitor/sessions/:id/messages', {
      schema: { tags, summary: 'Send a message; acknowledged once stored. Retries with the same clientMsgId are stored once.', params: IdParams, body: SendBody },
      config: { ...visitor, rateLimit: { max: 600, timeWindow: 60_000 } },
    }, async (req) => s.messages.send(req.visitor(), req.params.id, req.body));

    app.post('/visitor/sessions/:id/read', { schema: { tags, summary: 'Mark agent messages read up to seq', params: IdParams, body: ReadBody }, config: visitor }, async (req) =>
      s.sessions.read(req.visitor(), req.params.id, req.body.seq));

    app.post('/visitor/sessions/:id/leave', { schema: { tags, summary: 'Leave: a queued session is aborted, an active one closed', params: IdParams }, config: visitor }, async (req) =>
      view(await s.sessions.close(req.visitor(), req.params.id)));

    app.post('/visitor/sessions/:id/attachments', {
      schema: { tags, summary: 'Upload an image or file (multipart part "file"); then send an image/file message naming fileId', params: IdParams, consumes: ['multipart/form-data'] },
      config: { ...visitor, rateLimit: { max: 30, timeWindow: 60_000 } },
    }, async (req, reply) => {
      const v = req.visitor();
      const session = await s.attachments.target(v, req.params.id);
      const upload = await readUpload(req, await s.attachments.maxBytes(v.tenantId));
      reply.status(201);
      return s.attachments.save(v, session, upload);
    });

    app.get('/visitor/files/:fileId', {
      schema: { tags, summary: 'A file of one of the visitor\'s sessions', params: FileParams },
      config: visitor,
    }, async (req, reply) => s.attachments.sendToVisitor(req.visitor(), req.params.fileId, reply));
  };
}
