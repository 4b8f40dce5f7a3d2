/** The message types every tenant has: text, image, file and (Unicode) emoji. */
import { Type } from 'typebox';
import { errors } from '../../../core/http/errors.ts';
import type { MessageTypeDef } from './message-types.ts';
import { UUID_PATTERN } from './schemas.ts';
import type { Attachments } from './services/attachments.ts';

export const TEXT_MAX = 5000;
const FILE_ID = Type.String({ pattern: UUID_PATTERN });
// One or more pictographs, with the joiners, selectors and modifiers that compose them.
const EMOJI = /^(?:[\p{Extended_Pictographic}\p{Regional_Indicator}\p{Emoji_Component}\u200d\ufe0f])+$/u;
const PICTOGRAPH = /[\p{Extended_Pictographic}\p{Regional_Indicator}]/u;

export function builtinTypes(attachments: Attachments): MessageTypeDef[] {
  const fileBody = (image: boolean): MessageTypeDef['prepare'] => async (body, ctx) => {
    const file = await attachments.inSession(ctx.tenantId, ctx.sessionId, String(body.fileId));
    if (image && !file.contentType.startsWith('image/')) throw errors.badRequest('ATTACHMENT_NOT_IMAGE', 'That file is not an image; send it as a file.', 'body.fileId');
    return { fileId: file.id, filename: file.filename, contentType: file.contentType, size: file.size };
  };
  return [
    {
      type: 'text',
      schema: Type.Object({ text: Type.String({ minLength: 1, maxLength: TEXT_MAX }) }, { additionalProperties: false }),
      prepare: (body) => {
        if (!String(body.text).trim()) throw errors.badRequest('VALIDATION_FAILED', 'body.text: must not be blank', 'body.text');
        return body;
      },
      preview: (body) => String(body.text),
    },
    {
      type: 'image',
      schema: Type.Object({ fileId: FILE_ID }, { additionalProperties: false }),
      prepare: fileBody(true),
      preview: () => '[Image]',
    },
    {
      type: 'file',
      schema: Type.Object({ fileId: FILE_ID }, { additionalProperties: false }),
      prepare: fileBody(false),
      preview: (body) => `[File] ${String(body.filename ?? '')}`,
    },
    {
      type: 'emoji',
      schema: Type.Object({ emoji: Type.String({ minLength: 1, maxLength: 16 }) }, { additionalProperties: false }),
      prepare: (body) => {
        const e = String(body.emoji);
        if (!EMOJI.test(e) || !PICTOGRAPH.test(e)) throw errors.badRequest('VALIDATION_FAILED', 'body.emoji: must be an emoji', 'body.emoji');
        return body;
      },
      preview: (body) => String(body.emoji),
    },
  ];
}
