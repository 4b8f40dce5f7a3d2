/** History search and exports. See docs/protocol.md §4.3. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from './services.ts';
import { ExportBody, HistoryQuery, Uuid } from '../schemas.ts';
import { agentSessionView } from '../views.ts';
import { P } from '../access.ts';

const tags = ['conversations: history'];

export function historyRoutes(s: Services) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/sessions', {
      schema: { tags, summary: 'Search sessions: exact session ID (code), visitor name, date range, agent, skill group, state; newest first', querystring: HistoryQuery },
      config: { permission: P.history },
    }, async (req) => {
      const found = await s.history.search(req.member().tenantId, req.query);
      return { ...found, items: found.items.map((x) => agentSessionView(x)) };
    });

    app.post('/exports', {
      schema: { tags, summary: 'Export the filtered sessions to CSV or XLSX; runs in the background, poll GET /exports/:id', body: ExportBody },
      config: { permission: P.export },
    }, async (req, reply) => {
      reply.status(202);
      return s.exports.create(req.member(), req.body.format, req.body.filters ?? {});
    });

    const ExportParams = Type.Object({ id: Uuid });
    app.get('/exports/:id', { schema: { tags, summary: 'Progress of an export', params: ExportParams }, config: { permission: P.export } }, async (req) =>
      s.exports.get(req.member(), req.params.id));

    app.get('/exports/:id/download', { schema: { tags, summary: 'The exported file', params: ExportParams }, config: { permission: P.export } }, async (req, reply) =>
      s.exports.download(req.member(), req.params.id, reply));
  };
}
