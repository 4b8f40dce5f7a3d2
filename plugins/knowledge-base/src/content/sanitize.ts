/**
 * Rich content is cleaned on the server with an allow-list: no scripts, no event handlers, no
 * javascript: or data: URLs (except inline images), no styles that could overlay the console.
 */
import { createRequire } from 'node:module';
import type SanitizeHtml from 'sanitize-html';

// Required on first use, not at start-up (sanitize-html and its parser are ~0.2 s to load).
const requireLazily = createRequire(import.meta.url);
let library: typeof SanitizeHtml | undefined;
const sanitizeHtml = () => (library ??= requireLazily('sanitize-html') as typeof SanitizeHtml);

const OPTIONS: SanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'b', 'em', 'i', 'u', 's', 'ul', 'ol', 'li', 'blockquote', 'code', 'pre', 'h1', 'h2', 'h3', 'h4', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'hr', 'span'],
  allowedAttributes: { a: ['href', 'title', 'target', 'rel'], img: ['src', 'alt', 'title', 'width', 'height'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'] },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // sanitize-html's simpleTransform('a', {...}), written out so the options need no library.
    a: (_tag, attribs) => ({ tagName: 'a', attribs: { ...attribs, rel: 'noopener noreferrer nofollow', target: '_blank' } }),
  },
};

export function sanitizeContent(html: string): string {
  return sanitizeHtml()(html, OPTIONS);
}

/** The visible text of sanitised HTML, for search and snippets. */
export function plainText(html: string): string {
  return sanitizeHtml()(html.replace(/<(br|\/p|\/li|\/h[1-6]|\/tr|\/blockquote)\s*\/?>/gi, '$&\n'), { allowedTags: [], allowedAttributes: {} })
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
}
