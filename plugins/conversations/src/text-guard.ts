/** PostgreSQL text and jsonb cannot hold NUL characters; refuse them as bad input, not a crash. */
import { errors } from '../../../core/http/errors.ts';

export function assertNoNul(value: unknown, field: string): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw errors.badRequest('VALIDATION_FAILED', `${field}: must not contain NUL characters`, field);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => assertNoNul(v, `${field}.${i}`));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      assertNoNul(k, field);
      assertNoNul(v, `${field}.${k}`);
    }
  }
}
