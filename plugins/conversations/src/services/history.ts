/** History search: exact session ID, visitor name, date range, agent, skill group and state. */
import type { Knex } from 'knex';
import type { Deps } from './deps.ts';
import { errors } from '../../../../core/http/errors.ts';
import { records } from '../db/sessions.ts';
import { normaliseCode } from '../ids.ts';
import { assertNoNul } from '../text-guard.ts';
import { containsPattern } from '../db/like.ts';
import type { SessionRecord, SessionState } from '../types.ts';

export interface HistoryFilters {
  code?: string;
  visitorName?: string;
  from?: string;
  to?: string;
  agentId?: string;
  skillGroupId?: string;
  state?: SessionState[];
}

function time(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw errors.badRequest('VALIDATION_FAILED', `${field}: must be a date-time`, field);
  return d;
}

async function countOf(query: Knex.QueryBuilder): Promise<number> {
  const row = await query.clearSelect().count<{ n: number }[]>('* as n').first();
  return Number(row?.n ?? 0);
}

export class History {
  constructor(private readonly d: Deps) {}

  /** The tenant's sessions matching `f`, as a query (not yet ordered or paged). */
  filtered(tenantId: string, f: HistoryFilters): Knex.QueryBuilder {
    assertNoNul(f, 'query');
    const from = time(f.from, 'from');
    const to = time(f.to, 'to');
    if (from && to && from > to) throw errors.badRequest('INVALID_RANGE', '`from` must not be after `to`.', 'from');
    const q = records(this.d.knex).where('s.tenant_id', tenantId);
    if (f.code) q.andWhere('s.code', normaliseCode(f.code));
    if (f.visitorName?.trim()) q.andWhereRaw(`lower(s.visitor_name) like ? escape '\\'`, [containsPattern(f.visitorName)]);
    if (from) q.andWhere('s.created_at', '>=', from);
    if (to) q.andWhere('s.created_at', '<=', to);
    if (f.agentId) q.andWhere('s.agent_id', f.agentId);
    if (f.skillGroupId) q.andWhere('s.skill_group_id', f.skillGroupId);
    if (f.state?.length) q.whereIn('s.state', f.state);
    return q;
  }

  async count(tenantId: string, f: HistoryFilters): Promise<number> {
    return countOf(this.filtered(tenantId, f));
  }

  async search(tenantId: string, f: HistoryFilters & { page?: number; pageSize?: number }) {
    const page = f.page ?? 1;
    const pageSize = f.pageSize ?? 20;
    const query = this.filtered(tenantId, f);
    const total = await countOf(query.clone());
    const items: SessionRecord[] = await query
      .orderBy([{ column: 's.created_at', order: 'desc' }, { column: 's.id', order: 'desc' }])
      .offset((page - 1) * pageSize)
      .limit(pageSize);
    return { items, total, page, pageSize };
  }

  /** Walks the matching sessions newest first in batches (keyset paging, stable under inserts). */
  async *batches(tenantId: string, f: HistoryFilters, size = 500): AsyncGenerator<SessionRecord[]> {
    let after: { created_at: Date; id: string } | undefined;
    for (;;) {
      const q = this.filtered(tenantId, f);
      if (after) q.andWhereRaw('(s.created_at, s.id) < (?, ?)', [after.created_at, after.id]);
      const rows: SessionRecord[] = await q.orderBy([{ column: 's.created_at', order: 'desc' }, { column: 's.id', order: 'desc' }]).limit(size);
      if (!rows.length) return;
      yield rows;
      if (rows.length < size) return;
      after = rows[rows.length - 1];
    }
  }
}
