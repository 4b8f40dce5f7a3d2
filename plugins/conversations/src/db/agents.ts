/** Agents' routing state: status, capacity, load and last assignment. */
import { T, type Db } from './tables.ts';
import type { AgentRow } from '../types.ts';

/** Creates the agent's row on first use (offline, default capacity) and keeps the name current. */
export async function ensureAgent(db: Db, tenantId: string, memberId: string, name: string, capacity: number): Promise<void> {
  await db.raw(
    `insert into ${T.agents} (tenant_id, member_id, name, capacity) values (?, ?, ?, ?)
     on conflict (tenant_id, member_id) do update set name = excluded.name where ${T.agents}.name <> excluded.name`,
    [tenantId, memberId, name, capacity],
  );
}

export async function findAgent(db: Db, tenantId: string, memberId: string): Promise<AgentRow | undefined> {
  return db(T.agents).where({ tenant_id: tenantId, member_id: memberId }).first();
}

export async function lockAgents(db: Db, tenantId: string, memberIds: string[]): Promise<AgentRow[]> {
  // Always in id order, so two transactions locking the same pair cannot deadlock.
  return db(T.agents).where({ tenant_id: tenantId }).whereIn('member_id', memberIds).orderBy('member_id').forUpdate();
}

export async function listAgents(db: Db, tenantId: string): Promise<AgentRow[]> {
  return db(T.agents).where({ tenant_id: tenantId }).orderBy('name');
}

export async function patchAgent(db: Db, tenantId: string, memberId: string, patch: Partial<AgentRow>): Promise<AgentRow> {
  const [row] = await db(T.agents).where({ tenant_id: tenantId, member_id: memberId }).update({ ...patch, updated_at: db.fn.now() }).returning('*');
  return row;
}

export async function addLoad(db: Db, tenantId: string, memberId: string, delta: number, assigned: boolean): Promise<void> {
  await db(T.agents)
    .where({ tenant_id: tenantId, member_id: memberId })
    .update({
      active_count: db.raw('greatest(active_count + ?, 0)', [delta]),
      ...(assigned ? { last_assigned_at: db.fn.now() } : {}),
      updated_at: db.fn.now(),
    });
}

/**
 * The agent who should get the next session of `groupId`: idle, under capacity, seen since
 * `seenSince` (not a ghost of a crashed process), in the group (or any agent when the default group
 * has no agents of its own), fewest active sessions first, then assigned least recently. The row is
 * locked. A locked agent is waited for, not skipped (see `nextQueued`): the conditions are checked
 * again on the row as its holder left it.
 */
export async function pickAgent(db: Db, tenantId: string, groupId: string, isDefault: boolean, exclude: string | null, seenSince: Date): Promise<AgentRow | undefined> {
  const inGroup = `exists (select 1 from ${T.groupAgents} g where g.tenant_id = a.tenant_id and g.skill_group_id = ? and g.member_id = a.member_id)`;
  const groupEmpty = `not exists (select 1 from ${T.groupAgents} x where x.tenant_id = a.tenant_id and x.skill_group_id = ?)`;
  const eligible = isDefault ? `(${inGroup} or ${groupEmpty})` : inGroup;
  const { rows } = await db.raw(
    `select a.* from ${T.agents} a
      where a.tenant_id = ? and a.status = 'idle' and a.active_count < a.capacity
        and a.last_seen_at >= ?
        and a.member_id is distinct from ?::uuid
        and ${eligible}
      order by a.active_count, a.last_assigned_at nulls first, a.member_id
      limit 1
      for update of a`,
    [tenantId, seenSince, exclude, groupId, ...(isDefault ? [groupId] : [])],
  );
  return rows[0];
}

/**
 * Stamps the agents connected to this process as seen at `now`, in one statement; returns those
 * whose row still says offline (taken offline while this process could not stamp them).
 */
export async function stampAgents(db: Db, agents: Array<{ tenantId: string; memberId: string }>, now: Date): Promise<Array<Pick<AgentRow, 'tenant_id' | 'member_id'>>> {
  const { rows } = await db.raw(
    `with seen as (
       update ${T.agents} a set last_seen_at = ?
         from unnest(?::uuid[], ?::uuid[]) as s(tenant_id, member_id)
        where a.tenant_id = s.tenant_id and a.member_id = s.member_id
        returning a.tenant_id, a.member_id, a.status)
     select tenant_id, member_id from seen where status = 'offline'`,
    [now, agents.map((a) => a.tenantId), agents.map((a) => a.memberId)],
  );
  return rows;
}

/** Takes every online agent not seen since `seenBefore` offline, in one statement; returns them. */
export async function offlineUnseen(db: Db, seenBefore: Date): Promise<AgentRow[]> {
  const { rows } = await db.raw(
    `update ${T.agents} set status = 'offline', updated_at = now()
      where status <> 'offline' and (last_seen_at < ? or last_seen_at is null)
      returning *`,
    [seenBefore],
  );
  return rows;
}
