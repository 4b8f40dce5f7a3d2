/**
 * Using emoji: the packs an agent (with the permission) or a visitor may pick from, and the images
 * themselves. Images are served by emoji id under the tenant's slug, without a token (an <img> on
 * the visitor's site cannot send one), with year-long immutable caching: an emoji id's bytes never
 * change. Emoji of deleted packs are still served so that history keeps showing them.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PluginContext } from '../../../../core/plugin-host/context.ts';
import { errors } from '../../../../core/http/errors.ts';
import { packView } from '../packs/pack-views.ts';
import type { PackService } from '../packs/pack-service.ts';
import type { TenantSlugs } from '../tenant-slugs.ts';
import { USE_PERMISSION } from '../use/message-type.ts';

const tags = ['custom-emoji'];
const IMMUTABLE = 'public, max-age=31536000, immutable';
const ImageParams = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 64 }), id: Type.String({ minLength: 1, maxLength: 64 }) });

type Files = Pick<PluginContext['files'], 'get'>;
type Tenants = Pick<PluginContext['tenants'], 'bySlug'>;

export function useRoutes(packs: PackService, slugs: TenantSlugs, files: Files, tenants: Tenants) {
  const pickerPacks = async (tenantId: string) => {
    const slug = await slugs.of(tenantId);
    return { packs: (await packs.list(tenantId)).map((p) => packView(slug, p)) };
  };

  async function sendImage(reply: FastifyReply, etagIn: string | undefined, slug: string, emojiId: string, which: 'original' | 'thumbnail') {
    const tenant = await tenants.bySlug(slug);
    const stored = await packs.storedFiles(tenant.id, emojiId);
    if (!stored) throw errors.notFound('EMOJI_NOT_FOUND', 'No such emoji.');
    const etag = `"${emojiId}-${which}"`;
    reply.header('cache-control', IMMUTABLE).header('etag', etag).header('cross-origin-resource-policy', 'cross-origin');
    if (etagIn === etag) return reply.status(304).send();
    const file = await files.get(tenant.id, stored[which]);
    return reply
      .header('content-type', file.contentType)
      .header('content-length', String(file.size))
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
      .send(file.data);
  }

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/picker', {
      schema: { tags, summary: 'The packs an agent may send from (needs "enable custom emoji")' },
      config: { permission: USE_PERMISSION },
    }, async (req) => pickerPacks(req.member().tenantId));

    app.get('/visitor/packs', {
      schema: { tags, summary: 'The packs a visitor may send from: names and image URLs only (visitor token)' },
      config: { permission: '@visitor' },
    }, async (req) => pickerPacks(req.visitor().tenantId));

    app.get('/public/:tenant/emoji/:id', {
      schema: { tags, summary: 'An emoji image as uploaded (PNG, JPEG or GIF, animated GIFs stay animated), cached for a year', params: ImageParams },
      config: { permission: '@public' },
    }, async (req, reply) => sendImage(reply, req.headers['if-none-match'], req.params.tenant, req.params.id, 'original'));

    app.get('/public/:tenant/emoji/:id/thumb', {
      schema: { tags, summary: 'An emoji\'s picker thumbnail (WebP, at most 64 px, animated when the emoji is), cached for a year', params: ImageParams },
      config: { permission: '@public' },
    }, async (req, reply) => sendImage(reply, req.headers['if-none-match'], req.params.tenant, req.params.id, 'thumbnail'));
  };
}
