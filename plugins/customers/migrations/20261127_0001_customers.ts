import type { Knex } from 'knex';

export async function up(knex: Knex) {
  await knex.schema.createTable('customers_fields', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.text('key').notNullable();
    t.text('label').notNullable();
    t.text('type').notNullable();
    t.jsonb('options').notNullable().defaultTo('[]');
    t.boolean('system').notNullable().defaultTo(false);
    t.boolean('read_only').notNullable().defaultTo(false);
    t.integer('position').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['tenant_id', 'key']);
  });
  await knex.raw(`alter table customers_fields add constraint customers_fields_type_check check (type in ('text','number','date','single','multi'))`);

  await knex.schema.createTable('customers_profiles', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('visitor_id').references('visitors.id').onDelete('SET NULL');
    t.text('name');
    t.text('phone');
    t.text('email');
    t.text('company');
    t.text('channel');
    t.jsonb('custom').notNullable().defaultTo('{}');
    t.jsonb('tags').notNullable().defaultTo('[]');
    t.integer('session_count').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    /** When time alone may change this profile's rule groups next (see src/groups/conditions.ts). */
    t.timestamp('rule_recheck_at', { useTz: true });
    t.unique(['tenant_id', 'visitor_id']);
    t.index(['tenant_id', 'created_at']);
  });
  await knex.raw('create index customers_profiles_recheck on customers_profiles (rule_recheck_at) where rule_recheck_at is not null');
  await knex.raw('create index customers_profiles_name on customers_profiles (tenant_id, lower(name) text_pattern_ops)');

  await knex.schema.createTable('customers_groups', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('kind').notNullable();
    t.boolean('agent_visible').notNullable().defaultTo(true);
    t.boolean('vip').notNullable().defaultTo(false);
    t.text('match_mode').notNullable().defaultTo('all');
    t.jsonb('conditions').notNullable().defaultTo('[]');
    t.integer('position').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table customers_groups add constraint customers_groups_kind_check check (kind in ('manual','rule'))`);
  await knex.raw(`alter table customers_groups add constraint customers_groups_mode_check check (match_mode in ('all','any'))`);

  await knex.schema.createTable('customers_group_members', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('group_id').notNullable().references('customers_groups.id').onDelete('CASCADE');
    t.uuid('profile_id').notNullable().references('customers_profiles.id').onDelete('CASCADE');
    t.timestamp('added_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['group_id', 'profile_id']);
    t.index(['tenant_id', 'profile_id']);
  });
}

export async function down(knex: Knex) {
  for (const table of ['customers_group_members', 'customers_groups', 'customers_profiles', 'customers_fields']) await knex.schema.dropTableIfExists(table);
}
