import type { Knex } from 'knex';

/**
 * pg_trgm, for "contains" searches that an index can serve (`lower(x) like '%abc%'` through a GIN
 * index with `gin_trgm_ops`). Part of the database every plugin can count on: PGlite is opened with
 * it (core/db/connect.ts) and on a PostgreSQL server it is a trusted extension, so the database
 * owner can create it.
 */
export async function up(knex: Knex) {
  await knex.raw('create extension if not exists pg_trgm');
}

export async function down(knex: Knex) {
  await knex.raw('drop extension if exists pg_trgm');
}
