/** Marks the query's words in a title or snippet; the text is HTML-escaped first. */

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function pattern(words: string[]): RegExp | null {
  const usable = [...new Set(words.filter((w) => w.length > 0))].sort((a, b) => b.length - a.length);
  if (!usable.length) return null;
  // Latin words match at word starts so "pass" marks "password" but not "bypass".
  const parts = usable.map((w) => (/^[\p{L}\p{N}]/u.test(w) && /^[\x00-\x7f]+$/.test(w) ? `\\b${escapeRegExp(w)}` : escapeRegExp(w)));
  return new RegExp(parts.join('|'), 'giu');
}

export function highlight(text: string, words: string[]): string {
  const re = pattern(words);
  if (!re) return escapeHtml(text);
  let out = '';
  let last = 0;
  for (const m of text.matchAll(re)) {
    out += escapeHtml(text.slice(last, m.index)) + `<mark>${escapeHtml(m[0])}</mark>`;
    last = m.index! + m[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

/** A window of `size` characters around the first match, highlighted. */
export function snippet(text: string, words: string[], size = 120): string {
  const re = pattern(words);
  const first = re ? text.search(re) : -1;
  const start = Math.max(0, first < 0 ? 0 : first - Math.floor(size / 3));
  const piece = text.slice(start, start + size);
  return (start > 0 ? '…' : '') + highlight(piece, words) + (start + size < text.length ? '…' : '');
}
