/**
 * Domain events, written in the same transaction as the change they describe, so webhooks and
 * background jobs can rely on "if it happened, it is recorded" and vice versa.
 */
import type { Knex } from 'knex';

export interface DomainEvent {
  id: number;
  tenant_id: string;
  type: string;
  source: string;
  payload: Record<string, unknown>;
  created_at: Date;
}

/** Where `insertFrom` takes its rows: SQL expressions over the CTE `cte`. */
export interface EventSource {
  cte: string;
  /** e.g. `m.tenant_id` */
  tenantId: string;
  /** a `jsonb` expression, e.g. `jsonb_build_object('messageId', m.id)` */
  payload: string;
}

export class Outbox {
  /** Records an event inside `trx`; it becomes visible when `trx` commits. */
  async record(trx: Knex | Knex.Transaction, tenantId: string, source: string, type: string, payload: Record<string, unknown>): Promise<number> {
    const [row] = await trx('domain_events').insert({ tenant_id: tenantId, source, type, payload: JSON.stringify(payload) }).returning('id');
    return Number((row as { id: number }).id);
  }

  /**
   * The same write as `record`, as the body of a CTE in the caller's own statement: one event per
   * row of `from.cte` (another CTE of that statement), with tenant and payload written as SQL over
   * its columns. A change and its event then cost one round trip, still atomically.
   */
  insertFrom(knex: Knex, source: string, type: string, from: EventSource): Knex.Raw {
    return knex.raw(`insert into domain_events (tenant_id, source, type, payload) select ${from.tenantId}, ?, ?, ${from.payload} from ${from.cte}`, [source, type]);
  }

  /** Events of a tenant after `afterId`, oldest first. */
  async after(knex: Knex, tenantId: string, afterId: number, limit = 100): Promise<DomainEvent[]> {
    return knex('domain_events').where('tenant_id', tenantId).andWhere('id', '>', afterId).orderBy('id').limit(limit);
  }
}
