import type { Knex } from 'knex';

export async function up(knex: Knex) {
  await knex.schema.createTable('knowledge_base_categories', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('parent_id').references('knowledge_base_categories.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.integer('position').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['tenant_id', 'parent_id', 'position']);
  });
  await knex.schema.createTable('knowledge_base_entries', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('category_id').references('knowledge_base_categories.id').onDelete('SET NULL');
    t.text('title').notNullable();
    t.text('content_html').notNullable();
    t.text('content_text').notNullable();
    t.text('status').notNullable().defaultTo('draft');
    t.integer('position').notNullable().defaultTo(0);
    t.specificType('search_vector', 'tsvector').notNullable();
    t.uuid('updated_by').references('members.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['tenant_id', 'category_id', 'position']);
  });
  await knex.raw(`alter table knowledge_base_entries add constraint knowledge_base_entries_status_check check (status in ('draft','published'))`);
  await knex.raw('create index knowledge_base_entries_search on knowledge_base_entries using gin (search_vector)');
  await knex.schema.createTable('knowledge_base_attachments', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('entry_id').notNullable().references('knowledge_base_entries.id').onDelete('CASCADE');
    t.uuid('file_id').notNullable().references('files.id').onDelete('CASCADE');
    t.primary(['entry_id', 'file_id']);
  });
}

export async function down(knex: Knex) {
  await knex.schema.dropTableIfExists('knowledge_base_attachments');
  await knex.schema.dropTableIfExists('knowledge_base_entries');
  await knex.schema.dropTableIfExists('knowledge_base_categories');
}
