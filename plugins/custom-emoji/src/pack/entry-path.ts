/** Rules about entry paths: which are unsafe, which are ignored, and how a path becomes an emoji name. */
import { MAX_NAME_LENGTH } from './limits.ts';
import type { EmojiFormat } from './types.ts';

/** Files operating systems add to archives on their own. */
const OS_JUNK_FILES = new Set(['thumbs.db', 'desktop.ini']);

const FORMAT_BY_EXTENSION: Readonly<Record<string, EmojiFormat>> = {
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  gif: 'gif',
};

/** Archive extensions get their own error code so the uploader understands why. */
const ARCHIVE_EXTENSIONS = new Set(['zip']);

/**
 * Unsafe even though nothing is extracted to disk here: storage elsewhere must never see such a
 * path, and a pack that contains one was not made in good faith. Backslashes are refused outright
 * because Windows treats them as separators (`..\..\x`).
 */
export function isUnsafePath(path: string): boolean {
  if (path.includes('\\') || path.startsWith('/') || /^[a-zA-Z]:/.test(path)) return true;
  if (/[\u0000-\u001f\u007f]/.test(path)) return true;
  return path.split('/').includes('..');
}

/** `__MACOSX/` resource forks, dotfiles and dot-folders, Windows thumbnails: skipped and not counted. */
export function isIgnoredPath(path: string): boolean {
  const segments = meaningfulSegments(path);
  const base = segments.at(-1) ?? '';
  return (
    segments.some((segment) => segment === '__MACOSX' || segment.startsWith('.')) ||
    OS_JUNK_FILES.has(base.toLowerCase())
  );
}

/** The format the file name promises, `'archive'` for a nested archive, or null when unsupported. */
export function formatFromPath(path: string): EmojiFormat | 'archive' | null {
  const extension = splitBaseName(path).extension.toLowerCase();
  if (ARCHIVE_EXTENSIONS.has(extension)) return 'archive';
  return FORMAT_BY_EXTENSION[extension] ?? null;
}

/**
 * The emoji name for an entry: base name without extension, NFKC-normalised (full-width letters
 * from a Chinese IME become ASCII), lower-cased, every run of characters other than letters,
 * digits, `_` and `-` turned into one `_`, outer `_`/`-` trimmed, cut to `MAX_NAME_LENGTH`
 * characters. Letters of any script are kept. The name is '' when nothing usable is left.
 */
export function emojiName(path: string): { name: string; sanitised: boolean } {
  const original = splitBaseName(path).stem;
  const cleaned = original
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_-]+/gu, '_')
    .replace(/^[_-]+|[_-]+$/g, '');
  const name = Array.from(cleaned).slice(0, MAX_NAME_LENGTH).join('').replace(/[_-]+$/, '');
  return { name, sanitised: name !== original };
}

/** Path segments without the empty and `.` ones that `a//./b` would give. */
function meaningfulSegments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '' && segment !== '.');
}

function splitBaseName(path: string): { stem: string; extension: string } {
  const base = meaningfulSegments(path).at(-1) ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? { stem: base.slice(0, dot), extension: base.slice(dot + 1) } : { stem: base, extension: '' };
}
