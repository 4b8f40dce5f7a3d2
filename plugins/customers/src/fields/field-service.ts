/**
 * Profile fields: the system ones every tenant has (name, phone, email, company, channel) and
 * custom ones admins define. Any field can be marked read-only: from then on nobody changes it,
 * admins included; it is only set when a profile is created or by the tenant's signed identify call.
 */
import type { Knex } from 'knex';
import { errors } from '../../../../core/http/errors.ts';
import { isUuid } from '../../../../core/http/ids.ts';

export const FIELD_TYPES = ['text', 'number', 'date', 'single', 'multi'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface Field {
  id: string;
  key: string;
  label: string;
  type: FieldType;
  options: string[];
  system: boolean;
  readOnly: boolean;
  position: number;
}

export const SYSTEM_FIELDS: Array<{ key: string; label: string }> = [
  { key: 'name', label: 'Name' },
  { key: 'phone', label: 'Phone' },
  { key: 'email', label: 'Email' },
  { key: 'company', label: 'Company' },
  { key: 'channel', label: 'Channel' },
];
export const SYSTEM_KEYS = new Set(SYSTEM_FIELDS.map((f) => f.key));
/** Keys that are profile properties rather than fields; no custom field may take them. */
const RESERVED_KEYS = new Set([...SYSTEM_KEYS, 'id', 'tags', 'created_at', 'updated_at', 'session_count', 'groups', 'visitor_id']);

const TABLE = 'customers_fields';

const toField = (r: Record<string, any>): Field => ({
  id: r.id, key: r.key, label: r.label, type: r.type, options: r.options, system: r.system, readOnly: r.read_only, position: r.position,
});

export class FieldService {
  constructor(private readonly knex: Knex) {}

  /** The tenant's fields, creating the system ones on first use. */
  async list(tenantId: string, trx: Knex | Knex.Transaction = this.knex): Promise<Field[]> {
    let rows = await trx(TABLE).where({ tenant_id: tenantId }).orderBy([{ column: 'system', order: 'desc' }, 'position', 'created_at']);
    if (!rows.some((r) => r.system)) {
      await trx(TABLE)
        .insert(SYSTEM_FIELDS.map((f, i) => ({ tenant_id: tenantId, key: f.key, label: f.label, type: 'text', system: true, position: i })))
        .onConflict(['tenant_id', 'key'])
        .ignore();
      rows = await trx(TABLE).where({ tenant_id: tenantId }).orderBy([{ column: 'system', order: 'desc' }, 'position', 'created_at']);
    }
    return rows.map(toField);
  }

  async get(tenantId: string, id: string): Promise<Field> {
    await this.list(tenantId);
    const row = isUuid(id) ? await this.knex(TABLE).where({ tenant_id: tenantId, id }).first() : undefined;
    if (!row) throw errors.notFound('FIELD_NOT_FOUND', 'No such field.');
    return toField(row);
  }

  async create(tenantId: string, input: { key: string; label: string; type: FieldType; options?: string[]; readOnly?: boolean; position?: number }): Promise<Field> {
    if (!/^[a-z][a-z0-9_]{0,39}$/.test(input.key)) throw errors.badRequest('INVALID_FIELD_KEY', 'A field key is lowercase letters, digits and underscores, starting with a letter.', 'key');
    if (RESERVED_KEYS.has(input.key)) throw errors.conflict('FIELD_KEY_RESERVED', `"${input.key}" is a built-in field.`, 'key');
    const options = this.checkOptions(input.type, input.options ?? []);
    const existing = (await this.list(tenantId)).find((f) => f.key === input.key);
    if (existing) throw errors.conflict('FIELD_EXISTS', `A field "${input.key}" exists already.`, 'key');
    const [row] = await this.knex(TABLE)
      .insert({ tenant_id: tenantId, key: input.key, label: input.label, type: input.type, options: JSON.stringify(options), read_only: !!input.readOnly, position: input.position ?? 100 })
      .returning('*');
    return toField(row);
  }

  async update(tenantId: string, id: string, patch: { label?: string; options?: string[]; readOnly?: boolean; position?: number }): Promise<Field> {
    const field = await this.get(tenantId, id);
    const options = patch.options !== undefined ? this.checkOptions(field.type, patch.options) : undefined;
    if (field.system && options !== undefined) throw errors.badRequest('SYSTEM_FIELD', 'System fields have no options.', 'options');
    const [row] = await this.knex(TABLE)
      .where({ tenant_id: tenantId, id })
      .update({
        ...(patch.label !== undefined ? { label: patch.label } : {}),
        ...(options !== undefined ? { options: JSON.stringify(options) } : {}),
        ...(patch.readOnly !== undefined ? { read_only: patch.readOnly } : {}),
        ...(patch.position !== undefined ? { position: patch.position } : {}),
      })
      .returning('*');
    return toField(row);
  }

  async remove(tenantId: string, id: string): Promise<void> {
    const field = await this.get(tenantId, id);
    if (field.system) throw errors.forbidden('SYSTEM_FIELD', 'System fields cannot be deleted.');
    await this.knex(TABLE).where({ tenant_id: tenantId, id }).delete();
  }

  private checkOptions(type: FieldType, options: string[]): string[] {
    const clean = [...new Set(options.map((o) => o.trim()).filter(Boolean))];
    if ((type === 'single' || type === 'multi') && clean.length === 0) {
      throw errors.badRequest('FIELD_OPTIONS_REQUIRED', 'A choice field needs at least one option.', 'options');
    }
    if (type !== 'single' && type !== 'multi' && clean.length) throw errors.badRequest('FIELD_OPTIONS_UNEXPECTED', 'Only choice fields have options.', 'options');
    return clean;
  }
}

/** Checks and normalises a value for a field; null clears it. */
export function validateValue(field: Field, value: unknown): string | number | string[] | null {
  const bad = (why: string) => errors.badRequest('INVALID_FIELD_VALUE', `${field.label}: ${why}`, field.key);
  if (value === null || value === '') return null;
  switch (field.type) {
    case 'text': {
      if (typeof value !== 'string') throw bad('must be text.');
      if (value.length > 500) throw bad('is longer than 500 characters.');
      if (field.key === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw bad('is not an email address.');
      if (field.key === 'phone' && !/^\+?[0-9 ()-]{3,30}$/.test(value)) throw bad('is not a phone number.');
      return value.trim();
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad('must be a number.');
      return value;
    case 'date': {
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw bad('must be a date (YYYY-MM-DD).');
      return value;
    }
    case 'single':
      if (typeof value !== 'string' || !field.options.includes(value)) throw bad(`must be one of ${field.options.join(', ')}.`);
      return value;
    case 'multi':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !field.options.includes(v))) throw bad(`must be a list of ${field.options.join(', ')}.`);
      return [...new Set(value as string[])];
  }
}
