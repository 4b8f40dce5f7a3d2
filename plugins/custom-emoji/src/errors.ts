/** The plugin's own errors (besides the pack validator's), each with its text in every console language. */
import { LocalizedError } from './http/localized-error.ts';
import { MAX_PACKS, MAX_PACK_NAME_LENGTH } from './limits.ts';

export const packErrors = {
  limitReached: () =>
    new LocalizedError(409, 'PACK_LIMIT_REACHED', {
      en: `A tenant can have at most ${MAX_PACKS} emoji packs. Delete one before uploading another.`,
      'zh-CN': `每个企业最多 ${MAX_PACKS} 个表情包，请先删除一个再上传。`,
    }),
  nameInvalid: () =>
    new LocalizedError(400, 'PACK_NAME_INVALID', {
      en: `A pack name is 1 to ${MAX_PACK_NAME_LENGTH} characters, without control characters.`,
      'zh-CN': `表情包名称为 1 到 ${MAX_PACK_NAME_LENGTH} 个字符，不能包含控制字符。`,
    }, 'name'),
  nameTaken: (name: string) =>
    new LocalizedError(409, 'PACK_NAME_TAKEN', {
      en: `Another pack is already called “${name}”.`,
      'zh-CN': `已有名为“${name}”的表情包。`,
    }, 'name'),
  notFound: () =>
    new LocalizedError(404, 'PACK_NOT_FOUND', { en: 'No such emoji pack.', 'zh-CN': '表情包不存在。' }),
  orderMismatch: () =>
    new LocalizedError(400, 'PACK_ORDER_MISMATCH', {
      en: 'The new order must list every pack exactly once.',
      'zh-CN': '新的排序必须包含每个表情包，且每个只出现一次。',
    }, 'ids'),
  multipartRequired: () =>
    new LocalizedError(400, 'MULTIPART_REQUIRED', {
      en: 'Send the pack as multipart/form-data: the zip in the part "file", its name in the part "name".',
      'zh-CN': '请以 multipart/form-data 上传：zip 文件放在 “file” 部分，名称放在 “name” 部分。',
    }, 'file'),
  fileRequired: () =>
    new LocalizedError(400, 'FILE_REQUIRED', {
      en: 'Send exactly one zip file, in the part "file".',
      'zh-CN': '请在 “file” 部分上传且只上传一个 zip 文件。',
    }, 'file'),
  emojiNotFound: () =>
    new LocalizedError(400, 'EMOJI_NOT_FOUND', {
      en: 'That emoji does not exist (any more) in this pack.',
      'zh-CN': '该表情不存在或已被删除。',
    }, 'body.emojiId'),
};
