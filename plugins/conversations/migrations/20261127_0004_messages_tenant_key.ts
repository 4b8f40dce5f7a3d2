import type { Knex } from 'knex';

/**
 * A message belongs to its tenant through its session: the session's own foreign key to `tenants`
 * ties both (the store statement copies the session's tenant), and deleting a tenant reaches the
 * messages through their sessions. The direct key to `tenants` cost every message a check that
 * locks the tenant's row (FOR KEY SHARE), a row every concurrent send of that tenant locks too.
 */
export async function up(knex: Knex) {
  await knex.raw('alter table conversations_messages drop constraint if exists conversations_messages_tenant_id_foreign');
}

export async function down(knex: Knex) {
  await knex.raw('alter table conversations_messages add constraint conversations_messages_tenant_id_foreign foreign key (tenant_id) references tenants (id) on delete cascade');
}
