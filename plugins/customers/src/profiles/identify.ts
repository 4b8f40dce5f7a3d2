/**
 * The tenant's own site may set profile values, read-only ones included, by signing them on its
 * server: HMAC-SHA256 with the tenant's identity secret over
 * `externalId + "\n" + JSON of the values with keys sorted`, base64url. The visitor must be the
 * site's user of that external id (identified when the widget started), so a signature cannot be
 * replayed onto someone else.
 */
import crypto from 'node:crypto';
import { errors } from '../../../../core/http/errors.ts';

export function canonicalValues(values: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.keys(values).sort().map((k) => [k, values[k]])));
}

export function identifySignature(secret: string, externalId: string, values: Record<string, unknown>): string {
  return crypto.createHmac('sha256', secret).update(`${externalId}\n${canonicalValues(values)}`).digest('base64url');
}

export function checkIdentifySignature(secret: string, externalId: string, values: Record<string, unknown>, signature: string): void {
  const expected = Buffer.from(identifySignature(secret, externalId, values));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    throw errors.forbidden('IDENTITY_SIGNATURE_INVALID', 'The signature does not match these values.');
  }
}
