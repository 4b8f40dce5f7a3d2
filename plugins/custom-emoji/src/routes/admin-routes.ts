/** Managing packs (Settings > Custom emoji): upload, list, rename, reorder, delete. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { MAX_EMOJI_PER_PACK, MAX_GIF_BYTES, MAX_PACKS, MAX_PACK_NAME_LENGTH, MAX_STATIC_IMAGE_BYTES, MAX_ZIP_BYTES, SUGGESTED_SIDE_PX } from '../limits.ts';
import { validatePack } from '../pack/validate-pack.ts';
import { ZipTooLargeError } from '../pack/stream-limit.ts';
import { requestLocale } from '../http/locale.ts';
import { localized } from '../http/localized-error.ts';
import { discardRest, readPackUpload } from '../http/read-pack-upload.ts';
import { packRefusal, packWarnings } from '../http/pack-report.ts';
import { nameFromFilename } from '../packs/pack-name.ts';
import { adminPackView } from '../packs/pack-views.ts';
import type { PackService } from '../packs/pack-service.ts';
import type { TenantSlugs } from '../tenant-slugs.ts';

export const ADMIN_PERMISSION = 'settings.custom-emoji';

const tags = ['custom-emoji'];
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const LIMITS = {
  maxPacks: MAX_PACKS,
  maxEmojiPerPack: MAX_EMOJI_PER_PACK,
  maxZipBytes: MAX_ZIP_BYTES,
  maxStaticImageBytes: MAX_STATIC_IMAGE_BYTES,
  maxGifBytes: MAX_GIF_BYTES,
  suggestedSide: SUGGESTED_SIDE_PX,
  maxNameLength: MAX_PACK_NAME_LENGTH,
};

export function adminRoutes(packs: PackService, slugs: TenantSlugs) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const config = { permission: ADMIN_PERMISSION };

    app.get('/packs', { schema: { tags, summary: 'The tenant\'s packs in order, with their emoji, and the upload limits' }, config }, async (req) => {
      const { tenantId } = req.member();
      const slug = await slugs.of(tenantId);
      return { packs: (await packs.list(tenantId)).map((p) => adminPackView(slug, p)), limits: LIMITS };
    });

    app.post('/packs', {
      schema: {
        tags,
        summary: 'Upload a pack: multipart with the zip in "file" and its name in "name" (default: the file name). A pack with any invalid file is refused whole (422 PACK_INVALID listing every file and reason, in the Accept-Language language); over 15 MB is refused while it streams (413 ZIP_TOO_LARGE).',
        consumes: ['multipart/form-data'],
      },
      config,
    }, async (req, reply) => {
      const { tenantId } = req.member();
      const locale = requestLocale(req.headers['accept-language']);
      return localized(locale, async () => {
        await packs.assertRoom(tenantId);
        let upload;
        try {
          upload = await readPackUpload(req, MAX_ZIP_BYTES);
        } catch (err) {
          discardRest(req.raw, MAX_ZIP_BYTES);
          if (!(err instanceof ZipTooLargeError)) throw err;
          const refusal = packRefusal([err.packError], locale);
          return reply.status(refusal.statusCode).send(refusal);
        }
        const result = await validatePack(upload.zip);
        if (!result.ok) {
          const refusal = packRefusal(result.errors, locale);
          return reply.status(refusal.statusCode).send(refusal);
        }
        const pack = await packs.create(tenantId, upload.name ?? nameFromFilename(upload.filename), result.emoji);
        return reply.status(201).send({ pack: adminPackView(await slugs.of(tenantId), pack), warnings: packWarnings(result.emoji, locale) });
      });
    });

    app.get('/packs/:id', { schema: { tags, summary: 'One pack with its emoji', params: IdParams }, config }, async (req) => {
      const { tenantId } = req.member();
      return localized(requestLocale(req.headers['accept-language']), async () => adminPackView(await slugs.of(tenantId), await packs.get(tenantId, req.params.id)));
    });

    app.patch('/packs/:id', {
      schema: { tags, summary: 'Rename a pack', params: IdParams, body: Type.Object({ name: Type.String({ maxLength: 200 }) }, { additionalProperties: false }) },
      config,
    }, async (req) => {
      const { tenantId } = req.member();
      return localized(requestLocale(req.headers['accept-language']), async () =>
        adminPackView(await slugs.of(tenantId), await packs.rename(tenantId, req.params.id, req.body.name)));
    });

    app.put('/packs/order', {
      schema: { tags, summary: 'Reorder the packs: every pack id, once, in the new order', body: Type.Object({ ids: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 }) }, { additionalProperties: false }) },
      config,
    }, async (req) => {
      const { tenantId } = req.member();
      return localized(requestLocale(req.headers['accept-language']), async () => {
        await packs.reorder(tenantId, req.body.ids);
        const slug = await slugs.of(tenantId);
        return { packs: (await packs.list(tenantId)).map((p) => adminPackView(slug, p)) };
      });
    });

    app.delete('/packs/:id', {
      schema: { tags, summary: 'Delete a pack: gone from pickers, new messages with its emoji are refused; messages already sent keep showing them', params: IdParams },
      config,
    }, async (req) => {
      const { tenantId } = req.member();
      return localized(requestLocale(req.headers['accept-language']), async () => {
        await packs.remove(tenantId, req.params.id);
        return { ok: true };
      });
    });
  };
}
