/**
 * Routing: queued sessions go to idle agents with room who were seen within the presence grace, VIP
 * first, then oldest. Each assignment is its own short transaction that locks the session and then
 * the agent, so several nodes can drain the same queue without assigning a session twice. In one
 * process a tenant has one drain at a time (coalesced-rounds.ts).
 */
import type { Deps } from './deps.ts';
import type { Db } from '../db/tables.ts';
import { addLoad, pickAgent } from '../db/agents.ts';
import { findGroup } from '../db/skill-groups.ts';
import { findRecord, nextQueued, patchSession, queuedCount, records } from '../db/sessions.ts';
import { systemMessage } from './system-message.ts';
import { CoalescedRounds } from './coalesced-rounds.ts';
import type { AgentRow, MessageRow, SessionRecord, SessionRow } from '../types.ts';

export interface Assigned {
  session: SessionRow;
  message: MessageRow;
  manual: boolean;
}

export class Router {
  constructor(private readonly d: Deps) {}

  /** Gives `session` (locked, queued) to `agent` (locked) inside `trx`. */
  async assign(trx: Db, session: SessionRow, agent: AgentRow, manual: boolean): Promise<Assigned> {
    const updated = await patchSession(trx, session.id, {
      state: 'active', agent_id: agent.member_id, agent_name: agent.name, assigned_at: trx.fn.now(), transferred_from_agent_id: null,
    });
    await addLoad(trx, session.tenant_id, agent.member_id, 1, true);
    const message = await systemMessage(trx, updated, { event: 'assigned', agentName: agent.name }, this.d.eventsFrom);
    await this.d.recordEvent(trx, session.tenant_id, 'conversations.session.assigned', { sessionId: session.id, code: session.code, agentId: agent.member_id, manual });
    return { session: updated, message, manual };
  }

  /** Pushes an assignment to the visitor and the agent and tells the hooks; call after commit. */
  async published(a: Assigned): Promise<SessionRecord> {
    const record = (await findRecord(this.d.knex, a.session.tenant_id, a.session.id))!;
    this.d.notifier.session(record);
    this.d.notifier.message(record, a.message);
    void this.d.hooks.action('conversations.session.assigned', { tenantId: record.tenant_id }, {
      sessionId: record.id, code: record.code, visitorId: record.visitor_id, skillGroupId: record.skill_group_id, agentId: record.agent_id!, manual: a.manual,
    });
    return record;
  }

  // A failed pass is logged, not thrown: the caller's own change (a new session, an agent coming
  // free) is committed by then, and one pass serves several callers. The next routing event drains again.
  private readonly drains = new CoalescedRounds((tenantId) => this.pass(tenantId).catch((err) => this.d.log.error({ err, tenantId }, 'routing failed')));

  /** Assigns every queued session that has an idle agent with room; done once a pass that began after the call is. */
  drain(tenantId: string): Promise<void> {
    return this.drains.run(tenantId);
  }

  private async pass(tenantId: string): Promise<void> {
    const blocked: string[] = [];
    const touched = new Set<string>();
    for (;;) {
      const step = await this.d.knex.transaction(async (trx): Promise<{ blocked: string } | { done: Assigned } | null> => {
        const session = await nextQueued(trx, tenantId, blocked);
        if (!session) return null;
        const group = await findGroup(trx, tenantId, session.skill_group_id);
        const seenSince = new Date(this.d.clock.now().getTime() - this.d.presenceGraceMs);
        const agent = await pickAgent(trx, tenantId, session.skill_group_id, !!group?.is_default, session.transferred_from_agent_id, seenSince);
        if (!agent) return { blocked: session.skill_group_id };
        return { done: await this.assign(trx, session, agent, false) };
      });
      if (!step) break;
      if ('blocked' in step) {
        blocked.push(step.blocked);
        continue;
      }
      touched.add(step.done.session.skill_group_id);
      await this.published(step.done);
    }
    if (touched.size) await this.queueMoved(tenantId, [...touched]);
  }

  /** Tells queued visitors of these groups their new place, and agents the queue's size. */
  async queueMoved(tenantId: string, groupIds: string[]): Promise<void> {
    for (const groupId of new Set(groupIds)) {
      const queued: SessionRecord[] = await records(this.d.knex)
        .where({ 's.tenant_id': tenantId, 's.skill_group_id': groupId, 's.state': 'queued' })
        .orderBy([{ column: 's.priority', order: 'desc' }, 's.queued_at', 's.id'])
        .limit(200);
      queued.forEach((s, i) => this.d.notifier.queuePosition(s, i + 1));
    }
    this.d.notifier.queueChanged(tenantId, await queuedCount(this.d.knex, tenantId));
  }
}

