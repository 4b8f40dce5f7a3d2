/**
 * Customer groups: manual ones whose members admins pick (e.g. "VIP"), and rule groups (at most
 * 10 per tenant) whose members follow their conditions. Agents see only agent-visible groups.
 */
import type { Knex } from 'knex';
import { errors } from '../../../../core/http/errors.ts';
import type { Clock } from '../../../../core/clock.ts';
import type { FieldService } from '../fields/field-service.ts';
import { checkConditions, type Condition, type MatchMode } from './conditions.ts';
import { syncTenant } from './membership.ts';
import { isUuid } from '../../../../core/http/ids.ts';

export const MAX_RULE_GROUPS = 10;

export interface Group {
  id: string;
  name: string;
  kind: 'manual' | 'rule';
  agentVisible: boolean;
  vip: boolean;
  matchMode: MatchMode;
  conditions: Condition[];
  position: number;
  memberCount: number;
}

export interface GroupInput {
  name: string;
  kind: 'manual' | 'rule';
  agentVisible?: boolean;
  vip?: boolean;
  matchMode?: MatchMode;
  conditions?: Condition[];
  position?: number;
}

const TABLE = 'customers_groups';

export class GroupService {
  constructor(
    private readonly knex: Knex,
    private readonly fields: FieldService,
    private readonly clock: Clock,
  ) {}

  async list(tenantId: string, opts: { agentView: boolean }): Promise<Group[]> {
    const rows = await this.knex(`${TABLE} as g`)
      .where('g.tenant_id', tenantId)
      .modify((q) => {
        if (opts.agentView) q.andWhere('g.agent_visible', true);
      })
      .orderBy(['g.position', 'g.created_at'])
      .select('g.*', this.knex.raw('(select count(*) from customers_group_members m where m.group_id = g.id)::int as member_count'));
    return rows.map((r: Record<string, any>) => ({
      id: r.id, name: r.name, kind: r.kind, agentVisible: r.agent_visible, vip: r.vip, matchMode: r.match_mode, conditions: r.conditions, position: r.position, memberCount: r.member_count,
    }));
  }

  async get(tenantId: string, id: string, opts: { agentView: boolean }): Promise<Group> {
    const group = isUuid(id) ? (await this.list(tenantId, opts)).find((g) => g.id === id) : undefined;
    if (!group) throw errors.notFound('GROUP_NOT_FOUND', 'No such group.');
    return group;
  }

  async create(tenantId: string, input: GroupInput): Promise<Group> {
    const conditions = input.kind === 'rule' ? input.conditions ?? [] : [];
    if (input.kind === 'rule') checkConditions(conditions, await this.fields.list(tenantId));
    else if (input.conditions?.length) throw errors.badRequest('MANUAL_GROUP_CONDITIONS', 'Manual groups have no conditions.', 'conditions');
    const id = await this.knex.transaction(async (trx) => {
      if (input.kind === 'rule') {
        // Count under a lock on the tenant's rule groups so two requests cannot both take the 10th place.
        await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`customers-rule-groups:${tenantId}`]);
        const [{ count }] = await trx(TABLE).where({ tenant_id: tenantId, kind: 'rule' }).count<{ count: number }[]>('* as count');
        if (Number(count) >= MAX_RULE_GROUPS) {
          throw errors.conflict('RULE_GROUP_LIMIT', `A tenant has at most ${MAX_RULE_GROUPS} auto-grouping rules.`);
        }
      }
      const [row] = await trx(TABLE)
        .insert({
          tenant_id: tenantId,
          name: input.name.trim(),
          kind: input.kind,
          agent_visible: input.agentVisible ?? true,
          vip: !!input.vip,
          match_mode: input.matchMode ?? 'all',
          conditions: JSON.stringify(conditions),
          position: input.position ?? 0,
        })
        .returning('id');
      return (row as { id: string }).id;
    });
    if (input.kind === 'rule') await syncTenant(this.knex, tenantId, this.clock.now());
    return this.get(tenantId, id, { agentView: false });
  }

  async update(tenantId: string, id: string, patch: Partial<Omit<GroupInput, 'kind'>>): Promise<Group> {
    const group = await this.get(tenantId, id, { agentView: false });
    if (patch.conditions !== undefined) {
      if (group.kind !== 'rule') throw errors.badRequest('MANUAL_GROUP_CONDITIONS', 'Manual groups have no conditions.', 'conditions');
      checkConditions(patch.conditions, await this.fields.list(tenantId));
    }
    await this.knex(TABLE)
      .where({ tenant_id: tenantId, id })
      .update({
        ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
        ...(patch.agentVisible !== undefined ? { agent_visible: patch.agentVisible } : {}),
        ...(patch.vip !== undefined ? { vip: patch.vip } : {}),
        ...(patch.matchMode !== undefined ? { match_mode: patch.matchMode } : {}),
        ...(patch.conditions !== undefined ? { conditions: JSON.stringify(patch.conditions) } : {}),
        ...(patch.position !== undefined ? { position: patch.position } : {}),
      });
    if (group.kind === 'rule' && (patch.conditions !== undefined || patch.matchMode !== undefined)) await syncTenant(this.knex, tenantId, this.clock.now());
    return this.get(tenantId, id, { agentView: false });
  }

  async remove(tenantId: string, id: string): Promise<void> {
    await this.get(tenantId, id, { agentView: false });
    await this.knex(TABLE).where({ tenant_id: tenantId, id }).delete();
  }

  async addMember(tenantId: string, groupId: string, profileId: string): Promise<void> {
    const group = await this.get(tenantId, groupId, { agentView: false });
    if (group.kind === 'rule') throw errors.conflict('RULE_GROUP_MEMBERSHIP', 'Members of a rule group follow its rules; they cannot be added by hand.');
    const profile = isUuid(profileId) ? await this.knex('customers_profiles').where({ tenant_id: tenantId, id: profileId }).first('id') : undefined;
    if (!profile) throw errors.notFound('CUSTOMER_NOT_FOUND', 'No such customer.');
    await this.knex('customers_group_members').insert({ tenant_id: tenantId, group_id: groupId, profile_id: profileId, added_at: this.clock.now() }).onConflict(['group_id', 'profile_id']).ignore();
  }

  async removeMember(tenantId: string, groupId: string, profileId: string): Promise<void> {
    const group = await this.get(tenantId, groupId, { agentView: false });
    if (group.kind === 'rule') throw errors.conflict('RULE_GROUP_MEMBERSHIP', 'Members of a rule group follow its rules; they cannot be removed by hand.');
    const n = isUuid(profileId) ? await this.knex('customers_group_members').where({ tenant_id: tenantId, group_id: groupId, profile_id: profileId }).delete() : 0;
    if (!n) throw errors.notFound('CUSTOMER_NOT_FOUND', 'That customer is not in this group.');
  }

  /** Whether the visitor's profile is in a VIP group: such customers are served first. */
  async isVipVisitor(tenantId: string, visitorId: string): Promise<boolean> {
    if (!isUuid(visitorId)) return false;
    const row = await this.knex('customers_profiles as p')
      .join('customers_group_members as m', 'm.profile_id', 'p.id')
      .join(`${TABLE} as g`, 'g.id', 'm.group_id')
      .where({ 'p.tenant_id': tenantId, 'p.visitor_id': visitorId, 'g.vip': true })
      .first('g.id');
    return !!row;
  }
}
