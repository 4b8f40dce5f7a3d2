/** Table names, in one place. */
export const T = {
  channels: 'conversations_channels',
  groups: 'conversations_skill_groups',
  groupAgents: 'conversations_skill_group_agents',
  agents: 'conversations_agents',
  sessions: 'conversations_sessions',
  messages: 'conversations_messages',
  attachments: 'conversations_attachments',
  exports: 'conversations_exports',
} as const;

export type Db = import('knex').Knex | import('knex').Knex.Transaction;
