import type { Knex } from 'knex';

/**
 * The foreign key from `domain_events` to `tenants` locked the tenant's row (FOR KEY SHARE) for
 * every event: every stored message writes one, so every concurrent send of a tenant took a lock
 * on the same row (a multixact and a WAL record each time). The events are removed with their
 * tenant by a trigger instead, which costs nothing when an event is written.
 */
export async function up(knex: Knex) {
  await knex.raw('alter table domain_events drop constraint if exists domain_events_tenant_id_foreign');
  await knex.raw(`create function domain_events_tenant_deleted() returns trigger language plpgsql as $$
    begin
      delete from domain_events where tenant_id = old.id;
      return old;
    end $$`);
  await knex.raw('create trigger domain_events_tenant_deleted after delete on tenants for each row execute function domain_events_tenant_deleted()');
}

export async function down(knex: Knex) {
  await knex.raw('drop trigger if exists domain_events_tenant_deleted on tenants');
  await knex.raw('drop function if exists domain_events_tenant_deleted()');
  await knex.raw('delete from domain_events e where not exists (select 1 from tenants t where t.id = e.tenant_id)');
  await knex.raw('alter table domain_events add constraint domain_events_tenant_id_foreign foreign key (tenant_id) references tenants (id) on delete cascade');
}
