import type { Knex } from 'knex';

const ts = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

export async function up(knex: Knex) {
  await knex.schema.createTable('conversations_channels', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.text('kind').notNullable();
    t.text('key').notNullable();
    t.text('name').notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.jsonb('config').notNullable().defaultTo('{}');
    ts(t, 'created_at').notNullable().defaultTo(knex.fn.now());
    t.unique(['tenant_id', 'kind', 'key']);
  });

  await knex.schema.createTable('conversations_skill_groups', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.boolean('is_default').notNullable().defaultTo(false);
    ts(t, 'created_at').notNullable().defaultTo(knex.fn.now());
    /** Deleted groups stay for the history of their sessions. */
    ts(t, 'deleted_at');
  });
  await knex.raw('create unique index conversations_skill_groups_name on conversations_skill_groups (tenant_id, lower(name)) where deleted_at is null');
  await knex.raw('create unique index conversations_skill_groups_default on conversations_skill_groups (tenant_id) where is_default');

  await knex.schema.createTable('conversations_skill_group_agents', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('skill_group_id').notNullable().references('conversations_skill_groups.id').onDelete('CASCADE');
    t.uuid('member_id').notNullable();
    t.primary(['skill_group_id', 'member_id']);
    t.index(['tenant_id', 'member_id']);
  });

  await knex.schema.createTable('conversations_agents', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('member_id').notNullable();
    t.text('name').notNullable();
    t.text('status').notNullable().defaultTo('offline');
    /** The status the agent chose last; restored when they come back online. */
    t.text('preferred_status').notNullable().defaultTo('idle');
    t.integer('capacity').notNullable();
    t.integer('active_count').notNullable().defaultTo(0);
    ts(t, 'last_assigned_at');
    ts(t, 'updated_at').notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'member_id']);
  });
  await knex.raw(`alter table conversations_agents add constraint conversations_agents_status check (status in ('idle','busy','away','hidden','offline'))`);
  await knex.raw(`alter table conversations_agents add constraint conversations_agents_preferred check (preferred_status in ('idle','busy','away','hidden'))`);
  await knex.raw('alter table conversations_agents add constraint conversations_agents_capacity check (capacity between 0 and 100 and active_count >= 0)');
  // Routing looks for idle agents with room, least loaded and least recently assigned first.
  await knex.raw('create index conversations_agents_routing on conversations_agents (tenant_id, status, active_count, last_assigned_at)');

  await knex.schema.createTable('conversations_sessions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.text('code').notNullable();
    t.uuid('visitor_id').notNullable();
    t.text('visitor_name');
    t.text('visitor_email');
    t.uuid('channel_id').notNullable().references('conversations_channels.id');
    t.uuid('skill_group_id').notNullable().references('conversations_skill_groups.id');
    t.uuid('agent_id');
    t.text('agent_name');
    /** The agent who last handed the session back to a queue; routing skips them for it. */
    t.uuid('transferred_from_agent_id');
    t.text('state').notNullable().defaultTo('queued');
    t.integer('priority').notNullable().defaultTo(0);
    t.integer('last_seq').notNullable().defaultTo(0);
    t.integer('message_count').notNullable().defaultTo(0);
    t.integer('agent_read_seq').notNullable().defaultTo(0);
    t.integer('visitor_read_seq').notNullable().defaultTo(0);
    t.integer('unread_agent').notNullable().defaultTo(0);
    t.integer('unread_visitor').notNullable().defaultTo(0);
    t.text('last_message_preview');
    ts(t, 'last_message_at');
    t.jsonb('context').notNullable().defaultTo('{}');
    t.text('closed_by');
    ts(t, 'created_at').notNullable().defaultTo(knex.fn.now());
    ts(t, 'queued_at').notNullable().defaultTo(knex.fn.now());
    ts(t, 'assigned_at');
    ts(t, 'closed_at');
  });
  await knex.raw(`alter table conversations_sessions add constraint conversations_sessions_state check (state in ('queued','active','closed','aborted'))`);
  await knex.raw(`alter table conversations_sessions add constraint conversations_sessions_agent check ((state = 'active') = (agent_id is not null) or state in ('closed','aborted'))`);
  // Exact lookup by the quotable session ID.
  await knex.raw('create unique index conversations_sessions_code on conversations_sessions (tenant_id, code)');
  // One open session per visitor and channel: "start or resume" cannot create two.
  await knex.raw(`create unique index conversations_sessions_open on conversations_sessions (tenant_id, visitor_id, channel_id) where state in ('queued','active')`);
  // The queue: VIP (priority) first, then oldest.
  await knex.raw(`create index conversations_sessions_queue on conversations_sessions (tenant_id, skill_group_id, priority desc, queued_at) where state = 'queued'`);
  await knex.raw('create index conversations_sessions_agent on conversations_sessions (tenant_id, agent_id, state)');
  // History: newest first, narrowed by state, agent or group.
  await knex.raw('create index conversations_sessions_history on conversations_sessions (tenant_id, created_at desc)');
  await knex.raw('create index conversations_sessions_group_history on conversations_sessions (tenant_id, skill_group_id, created_at desc)');
  await knex.raw('create index conversations_sessions_state_history on conversations_sessions (tenant_id, state, created_at desc)');
  await knex.raw('create index conversations_sessions_visitor on conversations_sessions (tenant_id, visitor_id, created_at desc)');
  // Visitor-name search. Prefix searches use this btree; "contains" searches scan the tenant's rows
  // (a pg_trgm GIN index would serve them, once the kernel opens PGlite with that extension).
  await knex.raw('create index conversations_sessions_visitor_name on conversations_sessions (tenant_id, lower(visitor_name) text_pattern_ops)');

  await knex.schema.createTable('conversations_messages', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('session_id').notNullable().references('conversations_sessions.id').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.text('sender_kind').notNullable();
    t.uuid('sender_id');
    t.text('sender_name');
    t.text('type').notNullable();
    t.jsonb('body').notNullable();
    t.text('client_msg_id');
    /** `all`, or `agents` for messages a visitor never receives. */
    t.text('visibility').notNullable().defaultTo('all');
    ts(t, 'created_at').notNullable().defaultTo(knex.fn.now());
    t.unique(['session_id', 'seq']);
    t.unique(['session_id', 'sender_id', 'client_msg_id']);
  });
  await knex.raw(`alter table conversations_messages add constraint conversations_messages_sender check (sender_kind in ('visitor','agent','system'))`);
  await knex.raw(`alter table conversations_messages add constraint conversations_messages_visibility check (visibility in ('all','agents'))`);

  await knex.schema.createTable('conversations_attachments', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('file_id').notNullable();
    t.uuid('session_id').notNullable().references('conversations_sessions.id').onDelete('CASCADE');
    t.text('uploaded_by_kind').notNullable();
    t.uuid('uploaded_by_id').notNullable();
    ts(t, 'created_at').notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'file_id']);
    t.index(['session_id']);
  });

  await knex.schema.createTable('conversations_exports', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('member_id').notNullable();
    t.text('format').notNullable();
    t.jsonb('filters').notNullable();
    t.text('state').notNullable().defaultTo('running');
    t.integer('total').notNullable().defaultTo(0);
    t.integer('processed').notNullable().defaultTo(0);
    t.text('error');
    t.binary('data');
    ts(t, 'created_at').notNullable().defaultTo(knex.fn.now());
    ts(t, 'updated_at').notNullable().defaultTo(knex.fn.now());
    t.index(['tenant_id', 'created_at']);
  });
}

export async function down(knex: Knex) {
  for (const table of [
    'conversations_exports', 'conversations_attachments', 'conversations_messages', 'conversations_sessions',
    'conversations_agents', 'conversations_skill_group_agents', 'conversations_skill_groups', 'conversations_channels',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
