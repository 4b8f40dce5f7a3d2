import type { Knex } from 'knex';

export async function up(knex: Knex) {
  await knex.schema.createTable('custom_emoji_packs', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.integer('position').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Deleted packs keep their rows so messages that used their emoji still show them.
    t.timestamp('deleted_at', { useTz: true });
    t.index(['tenant_id', 'position']);
  });
  await knex.raw('create unique index custom_emoji_packs_live_name on custom_emoji_packs (tenant_id, lower(name)) where deleted_at is null');
  await knex.schema.createTable('custom_emoji_emoji', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('pack_id').notNullable().references('custom_emoji_packs.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.uuid('file_id').notNullable().references('files.id').onDelete('CASCADE');
    t.uuid('thumbnail_file_id').notNullable().references('files.id').onDelete('CASCADE');
    t.text('format').notNullable();
    t.integer('width').notNullable();
    t.integer('height').notNullable();
    t.boolean('animated').notNullable();
    t.integer('size').notNullable();
    t.integer('position').notNullable();
    t.unique(['pack_id', 'name']);
    t.index(['tenant_id', 'pack_id', 'position']);
  });
  await knex.raw(`alter table custom_emoji_emoji add constraint custom_emoji_emoji_format_check check (format in ('png','jpeg','gif'))`);
}

export async function down(knex: Knex) {
  await knex.schema.dropTableIfExists('custom_emoji_emoji');
  await knex.schema.dropTableIfExists('custom_emoji_packs');
}
