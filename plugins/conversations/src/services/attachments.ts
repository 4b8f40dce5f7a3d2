/**
 * Attachments: files uploaded into a session, kept by the kernel's file store and linked to the
 * session here. A file is served to members of the tenant who may read the session and to the
 * session's own visitor; to anyone else it does not exist.
 */
import type { FastifyReply } from 'fastify';
import type { Deps } from './deps.ts';
import type { Sessions } from './sessions.ts';
import { errors } from '../../../../core/http/errors.ts';
import type { MemberPrincipal, VisitorPrincipal } from '../../../../core/auth/principal.ts';
import { T } from '../db/tables.ts';
import { assertMemberReads, notYours, type Actor } from '../access.ts';
import { isUuid } from '../ids.ts';
import type { SessionRow } from '../types.ts';
import { IMAGE_TYPES, DOCUMENT_TYPES } from '../../../../core/files/sniff.ts';

/** Images, documents, archives and media as the kernel's file store types them (from the bytes). */
export { IMAGE_TYPES, DOCUMENT_TYPES as FILE_TYPES };
const ACCEPTED = [...IMAGE_TYPES, ...DOCUMENT_TYPES];

export interface Upload {
  filename: string;
  data: Buffer;
}

const fileNotFound = () => errors.notFound('FILE_NOT_FOUND', 'No such file.');

export class Attachments {
  constructor(
    private readonly d: Deps,
    private readonly sessions: () => Sessions,
  ) {}

  /** The largest upload the tenant accepts (its setting, capped by the server's limit). */
  async maxBytes(tenantId: string): Promise<number> {
    return Math.min((await this.d.settings(tenantId)).attachmentMaxBytes, this.d.uploadMaxBytes);
  }

  /** Checks the caller may upload into the session before the body is read. */
  async target(actor: Actor, idOrCode: string): Promise<SessionRow> {
    const s = await this.sessions().visible(actor, idOrCode);
    if (s.state === 'closed' || s.state === 'aborted') throw errors.conflict('SESSION_CLOSED', 'This session has ended.');
    if (actor.kind === 'member' && s.agent_id !== actor.memberId) throw notYours();
    return s;
  }

  async save(actor: Actor, s: SessionRow, upload: Upload) {
    const maxBytes = await this.maxBytes(s.tenant_id);
    return this.d.knex.transaction(async (trx) => {
      const file = await this.d.files.save({ tenantId: s.tenant_id, filename: upload.filename, data: upload.data, allowedTypes: ACCEPTED, maxBytes }, trx);
      await trx(T.attachments).insert({
        tenant_id: s.tenant_id, file_id: file.id, session_id: s.id,
        uploaded_by_kind: actor.kind === 'visitor' ? 'visitor' : 'agent',
        uploaded_by_id: actor.kind === 'visitor' ? actor.visitorId : actor.memberId,
      });
      return { fileId: file.id, filename: file.filename, contentType: file.contentType, size: file.size };
    });
  }

  /** A file uploaded to this session (for image and file messages). */
  async inSession(tenantId: string, sessionId: string, fileId: string) {
    const link = isUuid(fileId) ? await this.d.knex(T.attachments).where({ tenant_id: tenantId, session_id: sessionId, file_id: fileId }).first() : undefined;
    if (!link) throw errors.badRequest('ATTACHMENT_NOT_IN_SESSION', 'That file was not uploaded to this session.', 'body.fileId');
    return this.d.files.meta(tenantId, fileId);
  }

  async sendToVisitor(v: VisitorPrincipal, fileId: string, reply: FastifyReply): Promise<FastifyReply> {
    const link = isUuid(fileId)
      ? await this.d.knex(`${T.attachments} as a`)
          .join(`${T.sessions} as s`, 's.id', 'a.session_id')
          .where({ 'a.tenant_id': v.tenantId, 'a.file_id': fileId, 's.visitor_id': v.visitorId })
          .first('a.file_id')
      : undefined;
    if (!link) throw fileNotFound();
    return this.d.files.send(reply, v.tenantId, fileId);
  }

  async sendToMember(m: MemberPrincipal, fileId: string, reply: FastifyReply): Promise<FastifyReply> {
    const link = isUuid(fileId) ? await this.d.knex(T.attachments).where({ tenant_id: m.tenantId, file_id: fileId }).first() : undefined;
    if (!link) throw fileNotFound();
    const s: SessionRow = await this.d.knex(T.sessions).where({ tenant_id: m.tenantId, id: link.session_id }).first();
    try {
      assertMemberReads(m, s);
    } catch {
      throw fileNotFound();
    }
    return this.d.files.send(reply, m.tenantId, fileId);
  }
}
