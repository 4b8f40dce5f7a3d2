import type { Knex } from 'knex';

/**
 * Presence that survives a crashed process: each process stamps the agents and queued visitors
 * connected to it, and a sweep takes agents offline (and aborts queued sessions) not stamped in time.
 */
export async function up(knex: Knex) {
  await knex.schema.alterTable('conversations_agents', (t) => {
    t.timestamp('last_seen_at', { useTz: true });
  });
  // Online agents get a full grace to be stamped by the processes holding their sockets.
  await knex.raw(`update conversations_agents set last_seen_at = now() where status <> 'offline'`);
  // The sweep: online agents not stamped for a while, across tenants.
  await knex.raw(`create index conversations_agents_seen on conversations_agents (last_seen_at) where status <> 'offline'`);

  // Every row gets the migration's time (a constant default: no table rewrite); new rows are stamped
  // by the application. Not indexed: the sweep reads queued sessions through the queue's partial
  // index (the queue is short), and stamping an unindexed column leaves the other indexes alone.
  await knex.schema.alterTable('conversations_sessions', (t) => {
    t.timestamp('visitor_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex) {
  await knex.schema.alterTable('conversations_sessions', (t) => t.dropColumn('visitor_seen_at'));
  await knex.raw('drop index if exists conversations_agents_seen');
  await knex.schema.alterTable('conversations_agents', (t) => t.dropColumn('last_seen_at'));
}
