/** History search: exact session ID, visitor name, date range, agent, skill group and state. */
import type { Knex } from 'knex';
import type { Deps } from './deps.ts';
import { errors } from '../../../../core/http/errors.ts';
import { RECORDS_COLUMNS, RECORDS_FROM } from '../db/sessions.ts';
import { T } from '../db/tables.ts';
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

/**
 * A search counts its matches up to this many, and pages through no more: past it the total reads
 * "10,000+" and the search wants narrowing. Exports, which walk every match, are not capped by it.
 */
export const HISTORY_COUNT_CAP = 10_000;

export interface HistoryPage {
  items: SessionRecord[];
  /** Exact up to HISTORY_COUNT_CAP; HISTORY_COUNT_CAP when `totalCapped`. */
  total: number;
  /** More sessions match than `total` says. */
  totalCapped: boolean;
  page: number;
  pageSize: number;
}

export class History {
  constructor(private readonly d: Deps) {}

  /**
   * The conditions for the tenant's sessions matching `f` (over `s`, the sessions table), as SQL
   * text and bindings. Written out rather than built with knex: compiling the two queries of a
   * history page was about a tenth of the request's CPU (bench http-api, profiled).
   */
  private filtered(tenantId: string, f: HistoryFilters): { where: string; bindings: Knex.RawBinding[] } {
    assertNoNul(f, 'query');
    const from = time(f.from, 'from');
    const to = time(f.to, 'to');
    if (from && to && from > to) throw errors.badRequest('INVALID_RANGE', '`from` must not be after `to`.', 'from');
    const where = ['s.tenant_id = ?'];
    const bindings: Knex.RawBinding[] = [tenantId];
    const add = (condition: string, ...values: Knex.RawBinding[]) => {
      where.push(condition);
      bindings.push(...values);
    };
    if (f.code) add('s.code = ?', normaliseCode(f.code));
    if (f.visitorName?.trim()) add(`lower(s.visitor_name) like ? escape '\\'`, containsPattern(f.visitorName));
    if (from) add('s.created_at >= ?', from);
    if (to) add('s.created_at <= ?', to);
    if (f.agentId) add('s.agent_id = ?', f.agentId);
    if (f.skillGroupId) add('s.skill_group_id = ?', f.skillGroupId);
    if (f.state?.length) add(`s.state in (${f.state.map(() => '?').join(', ')})`, ...f.state);
    return { where: where.join(' and '), bindings };
  }

  /**
   * How many sessions match, counting no further than `cap + 1`: a larger answer only says "more
   * than `cap`". Counting a whole history on every search was most of a page's time (bench
   * http-api: ~300 ms at 100,000 sessions); counting to a cap reads at most that many index
   * entries. The sessions table alone is enough: every session has its group and channel.
   */
  async countUpTo(tenantId: string, f: HistoryFilters, cap: number): Promise<number> {
    const q = this.filtered(tenantId, f);
    const { rows } = await this.d.knex.raw(`select count(*) as n from (select 1 from ${T.sessions} as s where ${q.where} limit ?) as matching`, [...q.bindings, cap + 1]);
    return Number(rows[0]?.n ?? 0);
  }

  async search(tenantId: string, f: HistoryFilters & { page?: number; pageSize?: number }): Promise<HistoryPage> {
    const page = f.page ?? 1;
    const pageSize = f.pageSize ?? 20;
    if ((page - 1) * pageSize >= HISTORY_COUNT_CAP) {
      throw errors.badRequest('PAGE_TOO_DEEP', `Only the first ${HISTORY_COUNT_CAP} sessions of a search can be paged through; narrow the search (dates, agent, group, state).`, 'page');
    }
    const q = this.filtered(tenantId, f);
    const { rows } = await this.d.knex.raw(`select ${RECORDS_COLUMNS} ${RECORDS_FROM} where ${q.where} order by s.created_at desc, s.id desc limit ? offset ?`, [...q.bindings, pageSize, (page - 1) * pageSize]);
    const items = rows as SessionRecord[];
    // A first page that is not full holds every match (a session ID, most name searches): no count needed.
    const counted = page === 1 && items.length < pageSize ? items.length : await this.countUpTo(tenantId, f, HISTORY_COUNT_CAP);
    return { items, total: Math.min(counted, HISTORY_COUNT_CAP), totalCapped: counted > HISTORY_COUNT_CAP, page, pageSize };
  }

  /** Walks the matching sessions newest first in batches (keyset paging, stable under inserts). */
  async *batches(tenantId: string, f: HistoryFilters, size = 500): AsyncGenerator<SessionRecord[]> {
    let after: { created_at: Date; id: string } | undefined;
    for (;;) {
      const q = this.filtered(tenantId, f);
      const keyset = after ? ' and (s.created_at, s.id) < (?, ?)' : '';
      const bindings = after ? [...q.bindings, after.created_at, after.id, size] : [...q.bindings, size];
      const { rows } = await this.d.knex.raw(`select ${RECORDS_COLUMNS} ${RECORDS_FROM} where ${q.where}${keyset} order by s.created_at desc, s.id desc limit ?`, bindings);
      if (!rows.length) return;
      yield rows as SessionRecord[];
      if (rows.length < size) return;
      after = rows[rows.length - 1];
    }
  }
}
