/** What the services share: the database, pushes, hooks and the kernel services they call. */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { PluginContext } from '../../../../core/plugin-host/context.ts';
import type { Notifier } from '../notify.ts';
import type { EventsFrom } from '../db/messages.ts';
import type { ConversationSettings } from '../settings.ts';
import type { MessageTypes } from '../message-types.ts';

export interface Deps {
  knex: Knex;
  /** Connections the pool opens at most. */
  connections: number;
  log: Logger;
  hooks: PluginContext['hooks'];
  recordEvent: PluginContext['recordEvent'];
  /** The outbox write inside one statement (every stored message). */
  eventsFrom: EventsFrom;
  notifier: Notifier;
  members: PluginContext['members'];
  files: PluginContext['files'];
  uploadMaxBytes: number;
  settings(tenantId: string): Promise<ConversationSettings>;
  types: MessageTypes;
  clock: PluginContext['clock'];
  /** An agent or visitor not stamped as connected for this long is gone (config `presenceGraceMs`). */
  presenceGraceMs: number;
}
