/** Skill groups (admin): names, descriptions and their agents. */
import type { Deps } from './deps.ts';
import type { Router } from './routing.ts';
import { errors } from '../../../../core/http/errors.ts';
import { T } from '../db/tables.ts';
import { defaultGroup, findGroup, listGroups, setGroupAgents } from '../db/skill-groups.ts';
import { assertNoNul } from '../text-guard.ts';
import type { SkillGroupRow } from '../types.ts';

export interface SkillGroupView {
  id: string;
  name: string;
  description: string;
  isDefault: boolean;
  agentIds: string[];
}

const view = (g: SkillGroupRow & { agent_ids: string[] }): SkillGroupView => ({
  id: g.id, name: g.name, description: g.description, isDefault: g.is_default, agentIds: g.agent_ids,
});

const UNIQUE_VIOLATION = '23505';

export class SkillGroups {
  constructor(
    private readonly d: Deps,
    private readonly router: Router,
  ) {}

  async list(tenantId: string): Promise<SkillGroupView[]> {
    await defaultGroup(this.d.knex, tenantId);
    return (await listGroups(this.d.knex, tenantId)).map(view);
  }

  async get(tenantId: string, id: string): Promise<SkillGroupView> {
    const found = (await this.list(tenantId)).find((g) => g.id === id);
    if (!found) throw errors.notFound('SKILL_GROUP_NOT_FOUND', 'No such skill group.');
    return found;
  }

  private async checkAgents(tenantId: string, agentIds: string[] | undefined): Promise<void> {
    if (!agentIds?.length) return;
    const members = new Set((await this.d.members.list(tenantId)).filter((m) => !m.disabled).map((m) => m.id));
    const stranger = agentIds.find((id) => !members.has(id));
    if (stranger) throw errors.badRequest('MEMBER_NOT_FOUND', `${stranger} is not a member of this tenant.`, 'agentIds');
  }

  private async named<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw errors.conflict('SKILL_GROUP_EXISTS', 'A skill group with that name exists.', 'name');
      throw err;
    }
  }

  async create(tenantId: string, input: { name: string; description?: string; agentIds?: string[] }): Promise<SkillGroupView> {
    assertNoNul(input, 'body');
    await defaultGroup(this.d.knex, tenantId);
    await this.checkAgents(tenantId, input.agentIds);
    const id = await this.named(() =>
      this.d.knex.transaction(async (trx) => {
        const [row] = await trx(T.groups).insert({ tenant_id: tenantId, name: input.name.trim(), description: input.description ?? '' }).returning('id');
        await setGroupAgents(trx, tenantId, row.id, input.agentIds ?? []);
        return row.id as string;
      }),
    );
    await this.router.drain(tenantId);
    return this.get(tenantId, id);
  }

  async update(tenantId: string, id: string, patch: { name?: string; description?: string; agentIds?: string[] }): Promise<SkillGroupView> {
    assertNoNul(patch, 'body');
    if (!(await findGroup(this.d.knex, tenantId, id))) throw errors.notFound('SKILL_GROUP_NOT_FOUND', 'No such skill group.');
    await this.checkAgents(tenantId, patch.agentIds);
    await this.named(() =>
      this.d.knex.transaction(async (trx) => {
        const fields = { ...(patch.name !== undefined ? { name: patch.name.trim() } : {}), ...(patch.description !== undefined ? { description: patch.description } : {}) };
        if (Object.keys(fields).length) await trx(T.groups).where({ tenant_id: tenantId, id }).update(fields);
        if (patch.agentIds) await setGroupAgents(trx, tenantId, id, patch.agentIds);
      }),
    );
    await this.router.drain(tenantId);
    return this.get(tenantId, id);
  }

  /** Deletes a group; its waiting sessions move to the default group. The default group stays. */
  async remove(tenantId: string, id: string): Promise<void> {
    const group = await findGroup(this.d.knex, tenantId, id);
    if (!group) throw errors.notFound('SKILL_GROUP_NOT_FOUND', 'No such skill group.');
    if (group.is_default) throw errors.conflict('DEFAULT_GROUP', 'The default skill group cannot be deleted.');
    const fallback = await defaultGroup(this.d.knex, tenantId);
    await this.d.knex.transaction(async (trx) => {
      await trx(T.sessions).where({ tenant_id: tenantId, skill_group_id: id, state: 'queued' }).update({ skill_group_id: fallback.id });
      await setGroupAgents(trx, tenantId, id, []);
      await trx(T.groups).where({ tenant_id: tenantId, id }).update({ deleted_at: trx.fn.now() });
    });
    await this.router.drain(tenantId);
    await this.router.queueMoved(tenantId, [fallback.id]);
  }
}
