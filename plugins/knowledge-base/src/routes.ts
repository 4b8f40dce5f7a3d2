/** HTTP API of the knowledge base. Reading needs `knowledge-base.read`; changing needs `.edit`. */
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PluginContext } from '../../../core/plugin-host/context.ts';
import { grantsCover } from '../../../core/permissions/tree.ts';
import { errors } from '../../../core/http/errors.ts';
import type { CategoryService } from './categories/category-service.ts';
import type { EntryService } from './entries/entry-service.ts';
import { exportCsv, importCsv } from './transfer/csv-transfer.ts';

const READ = 'knowledge-base.read';
const EDIT = 'knowledge-base.edit';
const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Status = Type.Union([Type.Literal('draft'), Type.Literal('published')]);
const MAX_ATTACHMENT = 10 * 1024 * 1024;

export function knowledgeRoutes(ctx: PluginContext, categories: CategoryService, entries: EntryService) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    await app.register(multipart, { limits: { fileSize: MAX_ATTACHMENT, files: 1, fields: 5 } });
    const tags = ['knowledge-base'];
    const canEdit = (grants: string[]) => grantsCover(grants, EDIT);

    app.get('/categories', { schema: { tags, summary: 'The category tree' }, config: { permission: READ } }, async (req) => ({
      tree: await categories.tree(req.member().tenantId),
    }));
    app.post('/categories', {
      schema: { tags, summary: 'Create a category', body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), parentId: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])), position: Type.Optional(Type.Integer()) }) },
      config: { permission: EDIT },
    }, async (req, reply) => {
      const m = req.member();
      if (req.body.parentId) await categories.get(m.tenantId, req.body.parentId);
      reply.status(201);
      return categories.create(m.tenantId, req.body);
    });
    app.patch('/categories/:id', {
      schema: { tags, summary: 'Rename, move or reorder a category', params: Id, body: Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), parentId: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])), position: Type.Optional(Type.Integer()) }) },
      config: { permission: EDIT },
    }, async (req) => categories.update(req.member().tenantId, req.params.id, req.body));
    app.delete('/categories/:id', { schema: { tags, summary: 'Delete a category and its sub-categories (entries stay, uncategorised)', params: Id }, config: { permission: EDIT } }, async (req) => {
      await categories.remove(req.member().tenantId, req.params.id);
      return { ok: true };
    });

    app.get('/entries', {
      schema: { tags, summary: 'Entries of a category (drafts only for editors)', querystring: Type.Object({ categoryId: Type.Optional(Type.String({ maxLength: 64 })), limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), offset: Type.Integer({ minimum: 0, default: 0 }) }) },
      config: { permission: READ },
    }, async (req) => {
      const m = req.member();
      return entries.list(m.tenantId, { ...req.query, includeDrafts: canEdit(m.grants) });
    });
    app.get('/search', {
      schema: { tags, summary: 'Search entries (Chinese and English), ranked, with matches in <mark>', querystring: Type.Object({ q: Type.String({ minLength: 1, maxLength: 200 }), categoryId: Type.Optional(Type.String({ maxLength: 64 })), limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }) }) },
      config: { permission: READ },
    }, async (req) => {
      const m = req.member();
      return { items: await entries.search(m.tenantId, req.query.q, { categoryId: req.query.categoryId, includeDrafts: canEdit(m.grants), limit: req.query.limit }) };
    });
    app.get('/entries/:id', { schema: { tags, summary: 'One entry', params: Id }, config: { permission: READ } }, async (req) => {
      const m = req.member();
      return entries.get(m.tenantId, req.params.id, { includeDrafts: canEdit(m.grants) });
    });
    const EntryBody = { title: Type.String({ minLength: 1, maxLength: 200 }), content: Type.String({ maxLength: 200_000 }), categoryId: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])), status: Type.Optional(Status), position: Type.Optional(Type.Integer()) };
    app.post('/entries', { schema: { tags, summary: 'Create an entry (rich content is sanitised)', body: Type.Object(EntryBody) }, config: { permission: EDIT } }, async (req, reply) => {
      const m = req.member();
      const id = await entries.create(m.tenantId, m.apiKeyId ? null : m.memberId, req.body);
      reply.status(201);
      return entries.get(m.tenantId, id, { includeDrafts: true });
    });
    app.patch('/entries/:id', { schema: { tags, summary: 'Change an entry', params: Id, body: Type.Partial(Type.Object(EntryBody)) }, config: { permission: EDIT } }, async (req) => {
      const m = req.member();
      return entries.update(m.tenantId, m.apiKeyId ? null : m.memberId, req.params.id, req.body);
    });
    app.delete('/entries/:id', { schema: { tags, summary: 'Delete an entry', params: Id }, config: { permission: EDIT } }, async (req) => {
      await entries.remove(req.member().tenantId, req.params.id);
      return { ok: true };
    });
    app.put('/entries-order', { schema: { tags, summary: 'Set the order of entries', body: Type.Object({ ids: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 1000 }) }) }, config: { permission: EDIT } }, async (req) => {
      await entries.reorder(req.member().tenantId, req.body.ids);
      return { ok: true };
    });

    app.post('/entries/:id/attachments', { schema: { tags, summary: 'Attach a file (multipart field "file")', params: Id, consumes: ['multipart/form-data'] }, config: { permission: EDIT } }, async (req, reply) => {
      const m = req.member();
      await entries.get(m.tenantId, req.params.id, { includeDrafts: true });
      const part = await req.file();
      if (!part) throw errors.badRequest('FILE_REQUIRED', 'Send the file in the multipart field "file".', 'file');
      const data = await part.toBuffer().catch((err: { code?: string }) => {
        if (err.code === 'FST_REQ_FILE_TOO_LARGE') throw errors.badRequest('FILE_TOO_LARGE', `Attachments are at most ${MAX_ATTACHMENT / 1024 / 1024} MB.`, 'file');
        throw err;
      });
      const stored = await ctx.files.save({ tenantId: m.tenantId, filename: part.filename, data, maxBytes: MAX_ATTACHMENT });
      await entries.attach(m.tenantId, req.params.id, stored.id);
      reply.status(201);
      return stored;
    });
    const AttachmentParams = Type.Object({ id: Type.String({ maxLength: 64 }), fileId: Type.String({ maxLength: 64 }) });
    app.get('/entries/:id/attachments/:fileId', { schema: { tags, summary: 'Download an attachment', params: AttachmentParams }, config: { permission: READ } }, async (req, reply) => {
      const m = req.member();
      await entries.get(m.tenantId, req.params.id, { includeDrafts: canEdit(m.grants) });
      if (!(await entries.isAttachment(m.tenantId, req.params.id, req.params.fileId))) throw errors.notFound('ATTACHMENT_NOT_FOUND', 'No such attachment on this entry.');
      return ctx.files.send(reply, m.tenantId, req.params.fileId);
    });
    app.delete('/entries/:id/attachments/:fileId', { schema: { tags, summary: 'Remove an attachment', params: AttachmentParams }, config: { permission: EDIT } }, async (req) => {
      await entries.detach(req.member().tenantId, req.params.id, req.params.fileId);
      return { ok: true };
    });

    app.get('/export.csv', { schema: { tags, summary: 'The whole knowledge base as CSV' }, config: { permission: EDIT } }, async (req, reply) => {
      const csv = await exportCsv(ctx.knex, req.member().tenantId, categories);
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="knowledge-base.csv"').send(csv);
    });
    app.post('/import', { schema: { tags, summary: 'Import entries from CSV (multipart field "file"); reports every failed row', consumes: ['multipart/form-data'] }, config: { permission: EDIT } }, async (req) => {
      const m = req.member();
      const part = await req.file();
      if (!part) throw errors.badRequest('FILE_REQUIRED', 'Send the CSV in the multipart field "file".', 'file');
      const data = await part.toBuffer();
      return importCsv(ctx.knex, m.tenantId, m.apiKeyId ? null : m.memberId, data.toString('utf8'), { categories, entries });
    });
  };
}
