/** Sessions: lookups, the queue and state changes. */
import type { Knex } from 'knex';
import { T, type Db } from './tables.ts';
import { isUuid, normaliseCode, SESSION_CODE } from '../ids.ts';
import type { SessionRecord, SessionRow } from '../types.ts';

/** What `records()` selects and joins, as SQL text for queries written out (history search). */
export const RECORDS_COLUMNS = `s.*, g.name as skill_group_name, c.kind as channel_kind`;
export const RECORDS_FROM = `from ${T.sessions} as s join ${T.groups} as g on g.id = s.skill_group_id join ${T.channels} as c on c.id = s.channel_id`;

/** Sessions joined with their group's name and channel kind. */
export function records(db: Db): Knex.QueryBuilder {
  return db(`${T.sessions} as s`)
    .join(`${T.groups} as g`, 'g.id', 's.skill_group_id')
    .join(`${T.channels} as c`, 'c.id', 's.channel_id')
    .select('s.*', 'g.name as skill_group_name', 'c.kind as channel_kind');
}

/** A session of the tenant by UUID or by its quotable code; undefined for anything else. */
export async function findRecord(db: Db, tenantId: string, idOrCode: string): Promise<SessionRecord | undefined> {
  if (isUuid(idOrCode)) return records(db).where({ 's.tenant_id': tenantId, 's.id': idOrCode }).first();
  const code = normaliseCode(idOrCode);
  if (SESSION_CODE.test(code)) return records(db).where({ 's.tenant_id': tenantId, 's.code': code }).first();
  return undefined;
}

export async function lockSession(trx: Db, tenantId: string, id: string): Promise<SessionRow | undefined> {
  return trx(T.sessions).where({ tenant_id: tenantId, id }).forUpdate().first();
}

export async function openSessionOf(db: Db, tenantId: string, visitorId: string, channelId: string): Promise<SessionRow | undefined> {
  return db(T.sessions).where({ tenant_id: tenantId, visitor_id: visitorId, channel_id: channelId }).whereIn('state', ['queued', 'active']).first();
}

export async function patchSession(trx: Db, id: string, patch: Record<string, unknown>): Promise<SessionRow> {
  const [row] = await trx(T.sessions).where({ id }).update(patch).returning('*');
  return row;
}

/**
 * The next queued session that can be routed, locked; groups known to have no free agent are
 * skipped. VIP (priority) first, then oldest. A row locked by someone else is waited for, not
 * skipped: the holder may be a message send or a presence stamp, which route nothing, and a session
 * skipped then would wait for the next routing event. Another node's drain that held the row has
 * assigned it by then, and the re-check moves on to the next.
 */
export async function nextQueued(trx: Db, tenantId: string, skipGroups: string[]): Promise<SessionRow | undefined> {
  const q = trx(T.sessions).where({ tenant_id: tenantId, state: 'queued' });
  if (skipGroups.length) q.whereNotIn('skill_group_id', skipGroups);
  return q.orderBy([{ column: 'priority', order: 'desc' }, 'queued_at', 'id']).limit(1).forUpdate().first();
}

/** 1-based places in the queue of a group's queued sessions. */
export async function queuePositions(db: Db, tenantId: string, groupId: string, limit = 200): Promise<Array<{ id: string; visitor_id: string; position: number }>> {
  const { rows } = await db.raw(
    `select id, visitor_id, row_number() over (order by priority desc, queued_at, id)::int as position
       from ${T.sessions} where tenant_id = ? and skill_group_id = ? and state = 'queued'
      order by position limit ?`,
    [tenantId, groupId, limit],
  );
  return rows;
}

export async function queuePosition(db: Db, s: Pick<SessionRow, 'tenant_id' | 'skill_group_id' | 'priority' | 'queued_at' | 'id'>): Promise<number> {
  const { rows } = await db.raw(
    `select count(*)::int as ahead from ${T.sessions}
      where tenant_id = ? and skill_group_id = ? and state = 'queued'
        and (priority > ? or (priority = ? and (queued_at, id) < (?, ?)))`,
    [s.tenant_id, s.skill_group_id, s.priority, s.priority, s.queued_at, s.id],
  );
  return rows[0].ahead + 1;
}

export async function queuedCount(db: Db, tenantId: string): Promise<number> {
  const row = await db(T.sessions).where({ tenant_id: tenantId, state: 'queued' }).count<{ n: number }[]>('* as n').first();
  return Number(row?.n ?? 0);
}

/** Stamps the queued sessions of these visitors (connected to this process) as seen at `now`, in one statement. */
export async function stampVisitors(db: Db, visitors: Array<{ tenantId: string; visitorId: string }>, now: Date): Promise<void> {
  await db.raw(
    `update ${T.sessions} s set visitor_seen_at = ?
       from unnest(?::uuid[], ?::uuid[]) as v(tenant_id, visitor_id)
      where s.tenant_id = v.tenant_id and s.visitor_id = v.visitor_id and s.state = 'queued'`,
    [now, visitors.map((v) => v.tenantId), visitors.map((v) => v.visitorId)],
  );
}

/** Tenants with a queued session whose visitor has not been seen since `seenBefore`. */
export async function awayTenants(db: Db, seenBefore: Date): Promise<string[]> {
  const { rows } = await db.raw(`select distinct tenant_id from ${T.sessions} where state = 'queued' and visitor_seen_at < ?`, [seenBefore]);
  return rows.map((r: { tenant_id: string }) => r.tenant_id);
}

/** Queued sessions whose visitor has not been seen since their tenant's cutoff, longest away first. */
export async function awaySessions(db: Db, cutoffs: Array<{ tenantId: string; cutoff: Date }>, limit: number): Promise<Array<Pick<SessionRow, 'id' | 'tenant_id'>>> {
  const { rows } = await db.raw(
    `select s.id, s.tenant_id from ${T.sessions} s
       join unnest(?::uuid[], ?::timestamptz[]) as t(tenant_id, cutoff) on t.tenant_id = s.tenant_id
      where s.state = 'queued' and s.visitor_seen_at < t.cutoff
      order by s.visitor_seen_at limit ?`,
    [cutoffs.map((c) => c.tenantId), cutoffs.map((c) => c.cutoff), limit],
  );
  return rows;
}
