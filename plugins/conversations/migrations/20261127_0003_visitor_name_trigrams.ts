import type { Knex } from 'knex';

/**
 * Visitor-name searches are "contains" searches (history, my sessions). The btree index served
 * only prefixes, so they read every session of the tenant: ~300 ms at 100,000 sessions (bench
 * http-api). A trigram index serves patterns of three characters or more; shorter ones still scan.
 * Without `fastupdate` new sessions go straight into the index instead of a pending list that every
 * search reads until a vacuum merges it: sessions are written far less often than messages.
 */
export async function up(knex: Knex) {
  await knex.raw('drop index if exists conversations_sessions_visitor_name');
  await knex.raw('create index conversations_sessions_visitor_name_trgm on conversations_sessions using gin (lower(visitor_name) gin_trgm_ops) with (fastupdate = off)');
}

export async function down(knex: Knex) {
  await knex.raw('drop index if exists conversations_sessions_visitor_name_trgm');
  await knex.raw('create index conversations_sessions_visitor_name on conversations_sessions (tenant_id, lower(visitor_name) text_pattern_ops)');
}
