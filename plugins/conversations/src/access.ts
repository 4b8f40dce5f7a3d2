/** Who may do what with a session, beyond the route's own permission node. */
import { grantsCover } from '../../../core/permissions/tree.ts';
import { errors } from '../../../core/http/errors.ts';
import type { MemberPrincipal, VisitorPrincipal } from '../../../core/auth/principal.ts';
import type { SessionRow } from './types.ts';

export type Actor = MemberPrincipal | VisitorPrincipal;

export const P = {
  workbench: 'conversations.workbench',
  chat: 'conversations.workbench.chat',
  transfer: 'conversations.workbench.transfer',
  close: 'conversations.workbench.close',
  queue: 'conversations.queue',
  history: 'conversations.history.view',
  export: 'conversations.history.export',
  skillGroups: 'conversations.skill-groups',
  agents: 'conversations.agents',
} as const;

export const can = (m: MemberPrincipal, key: string) => grantsCover(m.grants, key);

export const sessionNotFound = () => errors.notFound('SESSION_NOT_FOUND', 'No such session.');
export const notYours = () => errors.forbidden('NOT_YOUR_SESSION', 'This session is assigned to someone else.');

/** A visitor sees only their own sessions; anything else does not exist for them. */
export function assertVisitorOwns(v: VisitorPrincipal, s: SessionRow): void {
  if (s.visitor_id !== v.visitorId) throw sessionNotFound();
}

/** Members read their own sessions, queued ones with the queue permission, any with history. */
export function assertMemberReads(m: MemberPrincipal, s: SessionRow): void {
  if (can(m, P.history)) return;
  if (s.agent_id === m.memberId && can(m, P.workbench)) return;
  if (s.state === 'queued' && can(m, P.queue)) return;
  throw notYours();
}

export function assertReads(actor: Actor, s: SessionRow): void {
  if (actor.kind === 'visitor') assertVisitorOwns(actor, s);
  else assertMemberReads(actor, s);
}
