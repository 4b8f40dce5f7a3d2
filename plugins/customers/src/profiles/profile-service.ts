/** Customer profiles: system fields, custom fields, tags, the visitor they belong to, their groups. */
import type { Knex } from 'knex';
import { errors } from '../../../../core/http/errors.ts';
import type { Clock } from '../../../../core/clock.ts';
import { SYSTEM_KEYS, validateValue, type FieldService } from '../fields/field-service.ts';
import { syncProfile } from '../groups/membership.ts';
import { isUuid } from '../../../../core/http/ids.ts';

export interface ProfileView {
  id: string;
  visitorId: string | null;
  name: string | null;
  phone: string | null;
  email: string | null;
  company: string | null;
  channel: string | null;
  custom: Record<string, unknown>;
  tags: string[];
  sessionCount: number;
  createdAt: string;
  updatedAt: string;
  groups: Array<{ id: string; name: string; vip: boolean; agentVisible: boolean }>;
}

export interface ProfileInput {
  values?: Record<string, unknown>;
  tags?: string[];
}

const TABLE = 'customers_profiles';
type Db = Knex | Knex.Transaction;

function cleanTags(tags: string[]): string[] {
  const out = [...new Set(tags.map((t) => t.trim()).filter(Boolean))];
  if (out.some((t) => t.length > 50)) throw errors.badRequest('INVALID_TAG', 'A tag has at most 50 characters.', 'tags');
  if (out.length > 50) throw errors.badRequest('TOO_MANY_TAGS', 'At most 50 tags.', 'tags');
  return out;
}

export class ProfileService {
  constructor(
    private readonly knex: Knex,
    private readonly fields: FieldService,
    private readonly clock: Clock,
  ) {}

  async view(tenantId: string, row: Record<string, any>, opts: { agentView: boolean }, db: Db = this.knex): Promise<ProfileView> {
    const groups = await db('customers_group_members as m')
      .join('customers_groups as g', 'g.id', 'm.group_id')
      .where({ 'm.tenant_id': tenantId, 'm.profile_id': row.id })
      .modify((q) => {
        if (opts.agentView) q.andWhere('g.agent_visible', true);
      })
      .orderBy('g.position')
      .select('g.id', 'g.name', 'g.vip', 'g.agent_visible as agentVisible');
    return {
      id: row.id,
      visitorId: row.visitor_id,
      name: row.name,
      phone: row.phone,
      email: row.email,
      company: row.company,
      channel: row.channel,
      custom: row.custom,
      tags: row.tags,
      sessionCount: row.session_count,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
      groups,
    };
  }

  async row(tenantId: string, id: string, db: Db = this.knex): Promise<Record<string, any>> {
    const row = isUuid(id) ? await db(TABLE).where({ tenant_id: tenantId, id }).first() : undefined;
    if (!row) throw errors.notFound('CUSTOMER_NOT_FOUND', 'No such customer.');
    return row;
  }

  async byVisitor(tenantId: string, visitorId: string): Promise<Record<string, any> | undefined> {
    return isUuid(visitorId) ? this.knex(TABLE).where({ tenant_id: tenantId, visitor_id: visitorId }).first() : undefined;
  }

  /**
   * Turns field values into column updates. Read-only fields may only be written when `initial`
   * (creation, or the tenant's signed identify call); otherwise changing one is FIELD_READ_ONLY.
   */
  private async columns(tenantId: string, values: Record<string, unknown>, current: Record<string, any> | null, initial: boolean, db: Db) {
    const fields = await this.fields.list(tenantId, db);
    const out: Record<string, unknown> = {};
    const custom: Record<string, unknown> = { ...(current?.custom ?? {}) };
    for (const [key, raw] of Object.entries(values)) {
      const field = fields.find((f) => f.key === key);
      if (!field) throw errors.badRequest('UNKNOWN_FIELD', `There is no field "${key}".`, key);
      const value = validateValue(field, raw);
      const before = current ? (SYSTEM_KEYS.has(key) ? current[key] : current.custom?.[key]) ?? null : null;
      if (field.readOnly && !initial && JSON.stringify(before) !== JSON.stringify(value)) {
        throw errors.forbidden('FIELD_READ_ONLY', `"${field.label}" is read-only and cannot be changed.`);
      }
      if (SYSTEM_KEYS.has(key)) out[key] = value;
      else if (value === null) delete custom[key];
      else custom[key] = value;
    }
    return { ...out, custom: JSON.stringify(custom) };
  }

  async create(tenantId: string, input: ProfileInput & { visitorId?: string | null; channel?: string | null }, db: Db = this.knex): Promise<string> {
    const now = this.clock.now();
    const cols = await this.columns(tenantId, input.values ?? {}, null, true, db);
    const [row] = await db(TABLE)
      .insert({
        tenant_id: tenantId,
        visitor_id: input.visitorId ?? null,
        channel: input.channel ?? null,
        ...cols,
        tags: JSON.stringify(cleanTags(input.tags ?? [])),
        created_at: now,
        updated_at: now,
      })
      .returning('id');
    const id = (row as { id: string }).id;
    await syncProfile(db, tenantId, id, now);
    return id;
  }

  async update(tenantId: string, id: string, input: ProfileInput, opts: { initial?: boolean } = {}, db: Db = this.knex): Promise<void> {
    const current = await this.row(tenantId, id, db);
    const cols = await this.columns(tenantId, input.values ?? {}, current, !!opts.initial, db);
    await db(TABLE)
      .where({ tenant_id: tenantId, id })
      .update({ ...cols, ...(input.tags ? { tags: JSON.stringify(cleanTags(input.tags)) } : {}), updated_at: this.clock.now() });
    await syncProfile(db, tenantId, id, this.clock.now());
  }

  /** The profile of a visitor, created on their first conversation. */
  async ensureForVisitor(db: Db, tenantId: string, visitorId: string, seed: { name?: string | null; email?: string | null; channel?: string | null }): Promise<string> {
    const existing = await db(TABLE).where({ tenant_id: tenantId, visitor_id: visitorId }).first('id');
    if (existing) return existing.id;
    const values: Record<string, unknown> = {};
    if (seed.name) values.name = seed.name.slice(0, 500);
    // A visitor's email is what they typed in the pre-chat form; keep it only if it is a valid address.
    if (seed.email && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(seed.email)) values.email = seed.email;
    return this.create(tenantId, { visitorId, channel: seed.channel ?? null, values }, db);
  }

  async countSession(db: Db, tenantId: string, profileId: string): Promise<void> {
    await db(TABLE).where({ tenant_id: tenantId, id: profileId }).increment('session_count', 1);
    await syncProfile(db, tenantId, profileId, this.clock.now());
  }

  async list(tenantId: string, opts: { q?: string; groupId?: string; limit: number; offset: number }) {
    const q = this.knex(`${TABLE} as p`).where('p.tenant_id', tenantId);
    if (opts.q) {
      const like = `%${opts.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q.andWhere((w) => w.whereRaw('lower(p.name) like ?', [like]).orWhereRaw('lower(p.email) like ?', [like]).orWhereRaw('p.phone like ?', [like]).orWhereRaw('lower(p.company) like ?', [like]));
    }
    if (opts.groupId) q.join('customers_group_members as m', 'm.profile_id', 'p.id').andWhere('m.group_id', opts.groupId);
    const [{ count }] = await q.clone().count<{ count: number }[]>('* as count');
    const rows = await q.orderBy('p.created_at', 'desc').limit(opts.limit).offset(opts.offset).select('p.*');
    return { total: Number(count), rows };
  }
}
