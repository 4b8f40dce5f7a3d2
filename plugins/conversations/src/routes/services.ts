/** The plugin's services, as the routes and socket handlers see them. */
import type { Sessions } from '../services/sessions.ts';
import type { Messages } from '../services/messages.ts';
import type { Agents } from '../services/agents.ts';
import type { SkillGroups } from '../services/skill-groups.ts';
import type { History } from '../services/history.ts';
import type { Exports } from '../services/exports.ts';
import type { Attachments } from '../services/attachments.ts';
import type { Presence } from '../services/presence.ts';
import type { ConversationSettings } from '../settings.ts';

export interface Services {
  sessions: Sessions;
  messages: Messages;
  agents: Agents;
  skillGroups: SkillGroups;
  history: History;
  exports: Exports;
  attachments: Attachments;
  presence: Presence;
  settings(tenantId: string): Promise<ConversationSettings>;
}
