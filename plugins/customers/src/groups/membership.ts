/**
 * Keeps rule-group membership equal to what the rules say. One profile is re-evaluated when its
 * data changes, when a rule changes (every profile of the tenant, in batches), and when time alone
 * flips a condition: each profile stores that instant (`rule_recheck_at`) and a job re-checks the
 * profiles whose instant has passed. Nothing scans all profiles on a timer.
 */
import type { Knex } from 'knex';
import { matches, nextTimeChange, type Condition, type MatchMode, type ProfileFacts } from './conditions.ts';

export interface RuleGroup {
  id: string;
  conditions: Condition[];
  matchMode: MatchMode;
}

type Db = Knex | Knex.Transaction;

export async function ruleGroups(db: Db, tenantId: string): Promise<RuleGroup[]> {
  const rows = await db('customers_groups').where({ tenant_id: tenantId, kind: 'rule' }).select('id', 'conditions', 'match_mode');
  return rows.map((r) => ({ id: r.id, conditions: r.conditions, matchMode: r.match_mode }));
}

export function factsOf(row: Record<string, any>): ProfileFacts {
  return {
    createdAt: new Date(row.created_at),
    sessionCount: row.session_count,
    tags: row.tags ?? [],
    values: { name: row.name, phone: row.phone, email: row.email, company: row.company, channel: row.channel, ...(row.custom ?? {}) },
  };
}

/** Brings one profile's rule memberships up to date as of `now`. */
export async function syncProfile(db: Db, tenantId: string, profileId: string, now: Date, groups?: RuleGroup[]): Promise<void> {
  const row = await db('customers_profiles').where({ tenant_id: tenantId, id: profileId }).first();
  if (!row) return;
  const rules = groups ?? (await ruleGroups(db, tenantId));
  const facts = factsOf(row);
  const wanted = new Set(rules.filter((g) => matches(g.conditions, g.matchMode, facts, now)).map((g) => g.id));
  const ruleIds = rules.map((g) => g.id);
  const current = new Set(
    ruleIds.length
      ? (await db('customers_group_members').where({ tenant_id: tenantId, profile_id: profileId }).whereIn('group_id', ruleIds).pluck('group_id'))
      : [],
  );
  const join = [...wanted].filter((g) => !current.has(g));
  const leave = [...current].filter((g) => !wanted.has(g));
  if (join.length) await db('customers_group_members').insert(join.map((group_id) => ({ tenant_id: tenantId, group_id, profile_id: profileId, added_at: now })));
  if (leave.length) await db('customers_group_members').where({ tenant_id: tenantId, profile_id: profileId }).whereIn('group_id', leave).delete();
  let recheck: Date | null = null;
  for (const g of rules) {
    const at = nextTimeChange(g.conditions, facts, now);
    if (at && (!recheck || at < recheck)) recheck = at;
  }
  await db('customers_profiles').where({ tenant_id: tenantId, id: profileId }).update({ rule_recheck_at: recheck });
}

/** Re-evaluates every profile of a tenant (after a rule changed), a batch at a time. */
export async function syncTenant(knex: Knex, tenantId: string, now: Date, batch = 500): Promise<number> {
  const groups = await ruleGroups(knex, tenantId);
  let after = '00000000-0000-0000-0000-000000000000';
  let count = 0;
  for (;;) {
    const ids: string[] = await knex('customers_profiles').where({ tenant_id: tenantId }).andWhere('id', '>', after).orderBy('id').limit(batch).pluck('id');
    if (!ids.length) return count;
    await knex.transaction(async (trx) => {
      for (const id of ids) await syncProfile(trx, tenantId, id, now, groups);
    });
    count += ids.length;
    after = ids[ids.length - 1]!;
  }
}

/** Re-checks the profiles whose time-based answer has changed by `now`; returns how many. */
export async function sweepDue(knex: Knex, now: Date, isEnabled: (tenantId: string) => Promise<boolean>, batch = 500): Promise<number> {
  let done = 0;
  for (;;) {
    const due: Array<{ id: string; tenant_id: string }> = await knex('customers_profiles')
      .whereNotNull('rule_recheck_at')
      .andWhere('rule_recheck_at', '<=', now)
      .orderBy('rule_recheck_at')
      .limit(batch)
      .select('id', 'tenant_id');
    if (!due.length) return done;
    for (const p of due) {
      if (await isEnabled(p.tenant_id)) await knex.transaction((trx) => syncProfile(trx, p.tenant_id, p.id, now));
      else await knex('customers_profiles').where({ id: p.id }).update({ rule_recheck_at: null });
    }
    done += due.length;
  }
}
