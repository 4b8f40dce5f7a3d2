/**
 * Content types decided from the bytes, never from the file name or the client's claim, so a
 * renamed executable or an SVG with script cannot pass as a picture.
 */
export interface Sniffed {
  contentType: string;
  /** Canonical extension for downloads. */
  ext: string;
}

const startsWith = (data: Buffer, bytes: number[], offset = 0) => bytes.every((b, i) => data[offset + i] === b);

export function sniff(data: Buffer): Sniffed | null {
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { contentType: 'image/png', ext: 'png' };
  if (startsWith(data, [0xff, 0xd8, 0xff])) return { contentType: 'image/jpeg', ext: 'jpg' };
  if (data.subarray(0, 6).toString('latin1') === 'GIF87a' || data.subarray(0, 6).toString('latin1') === 'GIF89a') return { contentType: 'image/gif', ext: 'gif' };
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return { contentType: 'image/webp', ext: 'webp' };
  if (data.subarray(0, 5).toString('latin1') === '%PDF-') return { contentType: 'application/pdf', ext: 'pdf' };
  if (startsWith(data, [0x50, 0x4b, 0x03, 0x04])) return sniffZip(data);
  if (data.subarray(4, 8).toString('latin1') === 'ftyp') return { contentType: 'video/mp4', ext: 'mp4' };
  if (startsWith(data, [0x1a, 0x45, 0xdf, 0xa3])) return { contentType: 'video/webm', ext: 'webm' };
  if (data.subarray(0, 3).toString('latin1') === 'ID3' || startsWith(data, [0xff, 0xfb])) return { contentType: 'audio/mpeg', ext: 'mp3' };
  if (isPlainText(data)) return { contentType: 'text/plain; charset=utf-8', ext: 'txt' };
  return null;
}

function sniffZip(data: Buffer): Sniffed {
  // Office Open XML documents are zips whose first entries name their kind.
  const head = data.subarray(0, 2048).toString('latin1');
  if (head.includes('word/')) return { contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: 'docx' };
  if (head.includes('xl/')) return { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx' };
  if (head.includes('ppt/')) return { contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', ext: 'pptx' };
  return { contentType: 'application/zip', ext: 'zip' };
}

/** UTF-8 without NUL bytes or other binary control characters, and not markup a browser would run. */
function isPlainText(data: Buffer): boolean {
  if (data.length === 0) return false;
  const sample = data.subarray(0, 8192);
  for (const b of sample) if (b === 0 || (b < 0x09) || (b > 0x0d && b < 0x20 && b !== 0x1b)) return false;
  const text = sample.toString('utf8');
  if (text.includes('\uFFFD')) return false;
  return !/^\s*<(?:!doctype|html|svg|script|\?xml)/i.test(text);
}

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
export const DOCUMENT_TYPES = [
  'application/pdf',
  'application/zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'text/plain; charset=utf-8',
  'video/mp4',
  'video/webm',
  'audio/mpeg',
];
