/** Pack names are plain text shown in pickers: trimmed, NFC, without control or bidi-override characters. */
import { packErrors } from '../errors.ts';
import { MAX_PACK_NAME_LENGTH } from '../limits.ts';

const FORBIDDEN = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

export function cleanPackName(raw: unknown): string {
  if (typeof raw !== 'string') throw packErrors.nameInvalid();
  const name = raw.normalize('NFC').trim();
  const length = [...name].length;
  if (length === 0 || length > MAX_PACK_NAME_LENGTH || FORBIDDEN.test(name)) throw packErrors.nameInvalid();
  return name;
}

/** A name from the uploaded file's name (`Cats.zip` -> `Cats`), when the uploader gave none. */
export function nameFromFilename(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  const stem = base.replace(/\.zip$/i, '').replace(/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu, '').trim();
  return [...stem].slice(0, MAX_PACK_NAME_LENGTH).join('').trim();
}
