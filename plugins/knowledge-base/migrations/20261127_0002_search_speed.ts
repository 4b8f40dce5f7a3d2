import type { Knex } from 'knex';

/**
 * Search speed at 100,000 entries (issue 4):
 * - The GIN index loses its pending list (fastupdate): every search scanned the unmerged entries
 *   and the planner, counting those pages, chose sequential scans that read each row's
 *   out-of-line vector. Entries are written rarely, so updating the index at once costs little.
 * - `title_vector` is the title's part of the search vector (weight A), small enough to stay in
 *   the row, with an index of its own: search takes title matches as ranking candidates first.
 */
export async function up(knex: Knex) {
  await knex.raw('alter index knowledge_base_entries_search set (fastupdate = off)');
  await knex.raw('select gin_clean_pending_list(?::regclass)', ['knowledge_base_entries_search']);
  await knex.raw(`alter table knowledge_base_entries add column title_vector tsvector generated always as (ts_filter(search_vector, '{a}')) stored`);
  await knex.raw('create index knowledge_base_entries_title_search on knowledge_base_entries using gin (title_vector) with (fastupdate = off)');
}

export async function down(knex: Knex) {
  await knex.raw('drop index knowledge_base_entries_title_search');
  await knex.raw('alter table knowledge_base_entries drop column title_vector');
  await knex.raw('alter index knowledge_base_entries_search set (fastupdate = on)');
}
