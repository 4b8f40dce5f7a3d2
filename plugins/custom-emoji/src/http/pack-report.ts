/**
 * The answer to a pack upload, in the uploader's language: the refusal naming every rejected file
 * and why, or the warnings of an accepted pack.
 */
import type { Locale } from '../../../../core/i18n.ts';
import { WARNING_TEXT } from '../pack/messages.ts';
import type { PackEmoji, PackError, PackErrorCode, PackWarningCode } from '../pack/types.ts';

export interface RejectedFile {
  /** Path inside the zip, or null when the pack as a whole is refused. */
  file: string | null;
  code: PackErrorCode;
  message: string;
}

export interface PackRefusal {
  statusCode: 413 | 422;
  code: 'ZIP_TOO_LARGE' | 'PACK_INVALID';
  message: string;
  errors: RejectedFile[];
}

export interface PackWarning {
  file: string;
  emoji: string;
  code: PackWarningCode;
  message: string;
}

function summary(errors: PackError[], locale: Locale): string {
  const whole = errors.find((e) => e.file === null);
  const files = new Set(errors.filter((e) => e.file !== null).map((e) => e.file)).size;
  const parts: string[] = [];
  if (whole) parts.push(whole.message[locale]);
  if (files) {
    parts.push(locale === 'zh-CN'
      ? `有 ${files} 个文件不符合要求。`
      : `${files} ${files === 1 ? 'file' : 'files'} cannot be used.`);
  }
  parts.push(locale === 'zh-CN' ? '表情包未保存，请修改后重新上传。' : 'Nothing was saved: fix the pack and upload it again.');
  return parts.join(locale === 'zh-CN' ? '' : ' ');
}

export function packRefusal(errors: PackError[], locale: Locale): PackRefusal {
  const tooLarge = errors.length === 1 && errors[0]!.code === 'ZIP_TOO_LARGE';
  return {
    statusCode: tooLarge ? 413 : 422,
    code: tooLarge ? 'ZIP_TOO_LARGE' : 'PACK_INVALID',
    message: summary(errors, locale),
    errors: errors.map((e) => ({ file: e.file, code: e.code, message: e.message[locale] })),
  };
}

export function packWarnings(emoji: PackEmoji[], locale: Locale): PackWarning[] {
  return emoji.flatMap((e) => e.warnings.map((code) => ({ file: e.sourcePath, emoji: e.name, code, message: WARNING_TEXT[code][locale] })));
}
