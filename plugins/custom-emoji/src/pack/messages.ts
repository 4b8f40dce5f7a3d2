/** User-facing text for every error and warning code, in each language the console ships. */
import type { LocalizedText } from '../../../../core/i18n.ts';
import { SUGGESTED_SIDE_PX, type PackLimits } from './limits.ts';
import type { EmojiFormat, PackErrorCode, PackWarningCode } from './types.ts';

export interface MessageContext {
  limits: PackLimits;
  /** The format the entry's name promises, when known. */
  format?: EmojiFormat;
  /** The emoji name, for duplicates. */
  name?: string;
}

const FORMAT_LABEL: Record<EmojiFormat, string> = { png: 'PNG', jpeg: 'JPEG', gif: 'GIF' };

const bytes = (n: number): string => n.toLocaleString('en-US');
const megabytes = (n: number): string => `${Math.round(n / (1024 * 1024))} MB`;

const ERROR_TEXT: Record<PackErrorCode, (ctx: MessageContext) => LocalizedText> = {
  NOT_A_ZIP: () => ({
    en: 'The file is not a zip archive. Upload the emoji pack as a .zip file.',
    'zh-CN': '该文件不是 zip 压缩包，请以 .zip 文件上传表情包。',
  }),
  ZIP_TOO_LARGE: ({ limits }) => ({
    en: `The pack is larger than ${megabytes(limits.maxZipBytes)}.`,
    'zh-CN': `表情包超过 ${megabytes(limits.maxZipBytes)}。`,
  }),
  CORRUPT_ZIP: () => ({
    en: 'The zip archive is damaged or incomplete.',
    'zh-CN': 'zip 压缩包已损坏或不完整。',
  }),
  TOO_MANY_ENTRIES: ({ limits }) => ({
    en: `A pack can hold at most ${limits.maxEmoji} emoji.`,
    'zh-CN': `每个表情包最多包含 ${limits.maxEmoji} 个表情。`,
  }),
  EMPTY_PACK: () => ({
    en: 'The pack contains no emoji images.',
    'zh-CN': '表情包中没有表情图片。',
  }),
  UNSAFE_PATH: () => ({
    en: 'The file path is not allowed (absolute path, “..” or backslash).',
    'zh-CN': '文件路径不合法（绝对路径、包含 “..” 或反斜杠）。',
  }),
  SYMLINK_ENTRY: () => ({
    en: 'Symbolic links are not allowed in a pack.',
    'zh-CN': '表情包中不允许包含符号链接。',
  }),
  NESTED_ZIP: () => ({
    en: 'Archives inside the pack are not allowed.',
    'zh-CN': '表情包中不允许嵌套压缩包。',
  }),
  UNSUPPORTED_ZIP_FEATURE: () => ({
    en: 'This file is stored with an unsupported zip feature (encryption, ZIP64 or an unusual compression method).',
    'zh-CN': '该文件使用了不支持的 zip 特性（加密、ZIP64 或不常见的压缩方式）。',
  }),
  UNSUPPORTED_TYPE: () => ({
    en: 'Only PNG, JPEG and GIF images (.png, .jpg, .jpeg, .gif) are supported.',
    'zh-CN': '仅支持 PNG、JPEG 和 GIF 图片（.png、.jpg、.jpeg、.gif）。',
  }),
  TYPE_MISMATCH: ({ format }) => {
    const label = format ? `${FORMAT_LABEL[format]} ` : '';
    return {
      en: `The file content is not the ${label}image its name says it is.`,
      'zh-CN': `文件内容与扩展名不符，不是有效的 ${label}图片。`,
    };
  },
  IMAGE_TOO_LARGE: ({ limits, format }) => {
    const max = format === 'gif' ? limits.maxGifBytes : limits.maxStaticImageBytes;
    const kinds = format === 'gif' ? 'GIF' : 'PNG / JPEG';
    return {
      en: `The image is too large: ${kinds} images may be at most ${bytes(max)} bytes.`,
      'zh-CN': `图片过大：${kinds} 图片最大为 ${bytes(max)} 字节。`,
    };
  },
  IMAGE_DIMENSIONS_TOO_LARGE: ({ limits }) => ({
    en: `The image is too large in pixels: at most ${limits.maxImageSide}×${limits.maxImageSide}, all frames together at most ${bytes(limits.maxDecodedPixels)} pixels.`,
    'zh-CN': `图片像素尺寸过大：最大 ${limits.maxImageSide}×${limits.maxImageSide}，所有帧合计最多 ${bytes(limits.maxDecodedPixels)} 像素。`,
  }),
  ZIP_BOMB: () => ({
    en: 'This file unpacks to far more data than expected (possible zip bomb).',
    'zh-CN': '该文件解压后的数据量异常（疑似 zip 炸弹）。',
  }),
  CORRUPT_IMAGE: () => ({
    en: 'The image could not be decoded; it may be damaged.',
    'zh-CN': '无法解码该图片，文件可能已损坏。',
  }),
  INVALID_NAME: () => ({
    en: 'The file name must contain letters or digits to become an emoji name.',
    'zh-CN': '文件名须包含字母或数字，才能作为表情名称。',
  }),
  DUPLICATE_NAME: ({ name }) => ({
    en: `Another file in the pack already gives the emoji name “${name}”.`,
    'zh-CN': `表情包中已有其他文件使用表情名称 “${name}”。`,
  }),
};

export const WARNING_TEXT: Readonly<Record<PackWarningCode, LocalizedText>> = {
  NOT_SUGGESTED_SIZE: {
    en: `Emoji look best at ${SUGGESTED_SIDE_PX}×${SUGGESTED_SIDE_PX} pixels.`,
    'zh-CN': `表情图片建议尺寸为 ${SUGGESTED_SIDE_PX}×${SUGGESTED_SIDE_PX} 像素。`,
  },
  NAME_SANITISED: {
    en: 'The emoji name differs from the file name: it is lower-cased and other characters than letters, digits, “_” and “-” are replaced.',
    'zh-CN': '表情名称与文件名不同：已转为小写，字母、数字、“_” 和 “-” 以外的字符已被替换。',
  },
};

export function errorMessage(code: PackErrorCode, ctx: MessageContext): LocalizedText {
  return ERROR_TEXT[code](ctx);
}
