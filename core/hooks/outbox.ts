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

export class Outbox {
  /** Records an event inside `trx`; it becomes visible when `trx` commits. */
  async record(trx: Knex | Knex.Transaction, tenantId: string, source: string, type: string, payload: Record<string, unknown>): Promise<number> {
    const [row] = await trx('domain_events').insert({ tenant_id: tenantId, source, type, payload: JSON.stringify(payload) }).returning('id');
    return Number((row as { id: number }).id);
  }

  /** Events of a tenant after `afterId`, oldest first. */
  async after(knex: Knex, tenantId: string, afterId: number, limit = 100): Promise<DomainEvent[]> {
    return knex('domain_events').where('tenant_id', tenantId).andWhere('id', '>', afterId).orderBy('id').limit(limit);
  }
}
