/** Skill groups and their agents. */
import { T, type Db } from './tables.ts';
import type { SkillGroupRow } from '../types.ts';
import { isUuid } from '../ids.ts';

export async function defaultGroup(db: Db, tenantId: string): Promise<SkillGroupRow> {
  const found = await db(T.groups).where({ tenant_id: tenantId, is_default: true }).first();
  if (found) return found;
  await db.raw(
    `insert into ${T.groups} (tenant_id, name, is_default) values (?, 'General', true) on conflict do nothing`,
    [tenantId],
  );
  return db(T.groups).where({ tenant_id: tenantId, is_default: true }).first();
}

/** A live (not deleted) group of the tenant. */
export async function findGroup(db: Db, tenantId: string, id: string): Promise<SkillGroupRow | undefined> {
  if (!isUuid(id)) return undefined;
  return db(T.groups).where({ tenant_id: tenantId, id }).whereNull('deleted_at').first();
}

export async function listGroups(db: Db, tenantId: string): Promise<Array<SkillGroupRow & { agent_ids: string[] }>> {
  const groups: SkillGroupRow[] = await db(T.groups).where({ tenant_id: tenantId }).whereNull('deleted_at').orderBy([{ column: 'is_default', order: 'desc' }, 'name']);
  const links: Array<{ skill_group_id: string; member_id: string }> = await db(T.groupAgents).where({ tenant_id: tenantId }).select('skill_group_id', 'member_id');
  return groups.map((g) => ({ ...g, agent_ids: links.filter((l) => l.skill_group_id === g.id).map((l) => l.member_id) }));
}

export async function groupIdsOf(db: Db, tenantId: string, memberId: string): Promise<string[]> {
  const rows: Array<{ skill_group_id: string }> = await db(T.groupAgents).where({ tenant_id: tenantId, member_id: memberId }).select('skill_group_id');
  return rows.map((r) => r.skill_group_id);
}

export async function setGroupAgents(db: Db, tenantId: string, groupId: string, memberIds: string[]): Promise<void> {
  await db(T.groupAgents).where({ tenant_id: tenantId, skill_group_id: groupId }).delete();
  if (memberIds.length) {
    await db(T.groupAgents).insert([...new Set(memberIds)].map((m) => ({ tenant_id: tenantId, skill_group_id: groupId, member_id: m })));
  }
}
