/** Identifiers: UUID checks and the human-quotable session ID. */
import crypto from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Crockford's base 32 without I, L, O, U: nothing to misread when a visitor reads it out.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const SESSION_CODE = /^S-\d{8}-[0-9A-HJKMNP-TV-Z]{6}$/;

export const isUuid = (s: string) => UUID.test(s);

/** `S-20261127-7KQ4M2`: the day it started (UTC) and six random characters. */
export function newSessionCode(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  const bytes = crypto.randomBytes(6);
  let tail = '';
  for (const b of bytes) tail += ALPHABET[b & 31];
  return `S-${day}-${tail}`;
}

/** Normalises what a person typed as a session ID (case, surrounding spaces). */
export function normaliseCode(input: string): string {
  return input.trim().toUpperCase();
}
