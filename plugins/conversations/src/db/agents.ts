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
 * The agent who should get the next session of `groupId`: idle, under capacity, in the group (or
 * any agent when the default group has no agents of its own), fewest active sessions first, then
 * assigned least recently. The row is locked; agents locked by another node are skipped.
 */
export async function pickAgent(db: Db, tenantId: string, groupId: string, isDefault: boolean, exclude: string | null): Promise<AgentRow | undefined> {
  const inGroup = `exists (select 1 from ${T.groupAgents} g where g.tenant_id = a.tenant_id and g.skill_group_id = ? and g.member_id = a.member_id)`;
  const groupEmpty = `not exists (select 1 from ${T.groupAgents} x where x.tenant_id = a.tenant_id and x.skill_group_id = ?)`;
  const eligible = isDefault ? `(${inGroup} or ${groupEmpty})` : inGroup;
  const { rows } = await db.raw(
    `select a.* from ${T.agents} a
      where a.tenant_id = ? and a.status = 'idle' and a.active_count < a.capacity
        and a.member_id is distinct from ?::uuid
        and ${eligible}
      order by a.active_count, a.last_assigned_at nulls first, a.member_id
      limit 1
      for update of a skip locked`,
    [tenantId, exclude, groupId, ...(isDefault ? [groupId] : [])],
  );
  return rows[0];
}
