/**
 * Rule-group conditions and their evaluation against one profile at one instant. Besides "does
 * it match now", each condition on time tells when its answer changes by itself ("created within 3
 * days" stops matching 3 days after creation), so profiles are re-checked exactly then rather than
 * by scanning every profile on a timer.
 */
import { errors } from '../../../../core/http/errors.ts';
import type { Field } from '../fields/field-service.ts';

export type Condition =
  | { field: 'created_at'; op: 'within_days' | 'older_than_days'; value: number }
  | { field: 'session_count'; op: 'gte' | 'lte' | 'eq'; value: number }
  | { field: 'tags'; op: 'has' | 'not_has'; value: string }
  | { field: string; op: 'eq' | 'neq' | 'contains' | 'empty' | 'not_empty' | 'gte' | 'lte'; value?: string | number };

export type MatchMode = 'all' | 'any';

export interface ProfileFacts {
  createdAt: Date;
  sessionCount: number;
  tags: string[];
  /** System and custom field values by key. */
  values: Record<string, unknown>;
}

export const MAX_CONDITIONS = 20;
const DAY = 86400_000;

const FIELD_OPS: Record<string, string[]> = {
  text: ['eq', 'neq', 'contains', 'empty', 'not_empty'],
  single: ['eq', 'neq', 'empty', 'not_empty'],
  multi: ['contains', 'empty', 'not_empty'],
  number: ['eq', 'neq', 'gte', 'lte', 'empty', 'not_empty'],
  date: ['eq', 'gte', 'lte', 'empty', 'not_empty'],
};

/** Refuses conditions that name unknown fields, operators that do not fit, or values of the wrong kind. */
export function checkConditions(conditions: Condition[], fields: Field[]): void {
  const bad = (i: number, why: string) => errors.badRequest('INVALID_CONDITION', `Condition ${i + 1}: ${why}`, `conditions.${i}`);
  if (conditions.length === 0) throw errors.badRequest('CONDITIONS_REQUIRED', 'A rule group needs at least one condition.', 'conditions');
  if (conditions.length > MAX_CONDITIONS) throw errors.badRequest('TOO_MANY_CONDITIONS', `At most ${MAX_CONDITIONS} conditions.`, 'conditions');
  conditions.forEach((c, i) => {
    if (c.field === 'created_at') {
      if (!['within_days', 'older_than_days'].includes(c.op)) throw bad(i, 'creation time takes "within_days" or "older_than_days".');
      if (!Number.isInteger(c.value) || (c.value as number) < 1 || (c.value as number) > 3650) throw bad(i, 'days must be a whole number from 1 to 3650.');
    } else if (c.field === 'session_count') {
      if (!['gte', 'lte', 'eq'].includes(c.op)) throw bad(i, 'session count takes "gte", "lte" or "eq".');
      if (!Number.isInteger(c.value) || (c.value as number) < 0) throw bad(i, 'the count must be a whole number.');
    } else if (c.field === 'tags') {
      if (!['has', 'not_has'].includes(c.op)) throw bad(i, 'tags take "has" or "not_has".');
      if (typeof c.value !== 'string' || !c.value.trim()) throw bad(i, 'name the tag.');
    } else {
      const field = fields.find((f) => f.key === c.field);
      if (!field) throw bad(i, `there is no field "${c.field}".`);
      if (!FIELD_OPS[field.type]!.includes(c.op)) throw bad(i, `"${c.op}" does not apply to a ${field.type} field.`);
      if (c.op !== 'empty' && c.op !== 'not_empty') {
        if (field.type === 'number' ? typeof c.value !== 'number' : typeof c.value !== 'string') throw bad(i, `the value must be a ${field.type === 'number' ? 'number' : 'text'}.`);
      }
    }
  });
}

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
}

function holds(c: Condition, facts: ProfileFacts, now: Date): boolean {
  switch (c.field) {
    case 'created_at': {
      const age = now.getTime() - facts.createdAt.getTime();
      return c.op === 'within_days' ? age < (c.value as number) * DAY : age >= (c.value as number) * DAY;
    }
    case 'session_count':
      return c.op === 'gte' ? facts.sessionCount >= (c.value as number) : c.op === 'lte' ? facts.sessionCount <= (c.value as number) : facts.sessionCount === c.value;
    case 'tags':
      return facts.tags.includes(String(c.value)) === (c.op === 'has');
  }
  const v = facts.values[c.field];
  switch (c.op) {
    case 'empty':
      return isEmpty(v);
    case 'not_empty':
      return !isEmpty(v);
    case 'eq':
      return typeof v === 'string' && typeof c.value === 'string' ? v.toLowerCase() === c.value.toLowerCase() : v === c.value;
    case 'neq':
      return typeof v === 'string' && typeof c.value === 'string' ? v.toLowerCase() !== c.value.toLowerCase() : v !== c.value;
    case 'contains':
      return Array.isArray(v) ? v.includes(c.value) : typeof v === 'string' && v.toLowerCase().includes(String(c.value).toLowerCase());
    case 'gte':
      return v !== null && v !== undefined && (v as number | string) >= (c.value as number | string);
    case 'lte':
      return v !== null && v !== undefined && (v as number | string) <= (c.value as number | string);
  }
  return false;
}

export function matches(conditions: Condition[], mode: MatchMode, facts: ProfileFacts, now: Date): boolean {
  if (conditions.length === 0) return false;
  return mode === 'all' ? conditions.every((c) => holds(c, facts, now)) : conditions.some((c) => holds(c, facts, now));
}

/** The next instant after `now` at which a time condition changes its answer, or null. */
export function nextTimeChange(conditions: Condition[], facts: ProfileFacts, now: Date): Date | null {
  let next: number | null = null;
  for (const c of conditions) {
    if (c.field !== 'created_at') continue;
    const flip = facts.createdAt.getTime() + (c.value as number) * DAY;
    if (flip > now.getTime() && (next === null || flip < next)) next = flip;
  }
  return next === null ? null : new Date(next);
}
