/**
 * Session lifecycle: a visitor starts (or resumes) a session, which waits in its skill group's
 * queue until routing or an agent takes it; agents transfer and close it; a visitor may leave.
 */
import type { Deps } from './deps.ts';
import type { Router } from './routing.ts';
import type { Agents } from './agents.ts';
import { errors } from '../../../../core/http/errors.ts';
import type { MemberPrincipal, VisitorPrincipal } from '../../../../core/auth/principal.ts';
import { T } from '../db/tables.ts';
import { webChannel } from '../db/channels.ts';
import { defaultGroup, findGroup } from '../db/skill-groups.ts';
import { addLoad, findAgent, lockAgents } from '../db/agents.ts';
import { findRecord, lockSession, openSessionOf, patchSession, queuePosition, queuedCount, records } from '../db/sessions.ts';
import { systemMessage } from './system-message.ts';
import { containsPattern } from '../db/like.ts';
import { isUuid, newSessionCode } from '../ids.ts';
import { assertNoNul } from '../text-guard.ts';
import { P, can, assertMemberReads, assertVisitorOwns, notYours, sessionNotFound, type Actor } from '../access.ts';
import type { MessageRow, SessionRecord, SessionRow } from '../types.ts';

export interface StartInput {
  skillGroupId?: string;
  name?: string;
  email?: string;
  context?: Record<string, string | undefined>;
}

const skillGroupNotFound = () => errors.notFound('SKILL_GROUP_NOT_FOUND', 'No such skill group.');
const isOpen = (s: SessionRow) => s.state === 'queued' || s.state === 'active';
const closedError = () => errors.conflict('SESSION_CLOSED', 'This session has ended.');

export class Sessions {
  constructor(
    private readonly d: Deps,
    private readonly router: Router,
    private readonly agents: Agents,
  ) {}

  /** A session the actor may see, by UUID or code; 404 otherwise (also for other tenants' sessions). */
  async visible(actor: Actor, idOrCode: string): Promise<SessionRecord> {
    const s = await findRecord(this.d.knex, actor.tenantId, idOrCode);
    if (!s) throw sessionNotFound();
    if (actor.kind === 'visitor') assertVisitorOwns(actor, s);
    else assertMemberReads(actor, s);
    return s;
  }

  async positionOf(s: SessionRecord): Promise<number | undefined> {
    return s.state === 'queued' ? queuePosition(this.d.knex, s) : undefined;
  }

  /** Resumes the visitor's open web session, or starts one in the chosen (or default) group. */
  async start(v: VisitorPrincipal, input: StartInput): Promise<{ resumed: boolean; session: SessionRecord }> {
    assertNoNul(input, 'body');
    const tenantId = v.tenantId;
    const channel = await webChannel(this.d.knex, tenantId);
    const open = await openSessionOf(this.d.knex, tenantId, v.visitorId, channel.id);
    if (open) return { resumed: true, session: await this.refreshVisitor(open, input) };

    const group = input.skillGroupId ? await findGroup(this.d.knex, tenantId, input.skillGroupId) : await defaultGroup(this.d.knex, tenantId);
    if (!group) throw skillGroupNotFound();
    const draft = await this.d.hooks.filter('conversations.session.beforeCreate', { tenantId }, {
      visitorId: v.visitorId, visitorName: input.name ?? null, channelKind: 'web', skillGroupId: group.id, priority: 0,
    });
    const groupId = draft.skillGroupId !== group.id && isUuid(draft.skillGroupId) && (await findGroup(this.d.knex, tenantId, draft.skillGroupId)) ? draft.skillGroupId : group.id;
    const priority = Number.isInteger(draft.priority) ? Math.max(-1000, Math.min(1000, draft.priority)) : 0;

    const created = await this.d.knex.transaction(async (trx) => {
      for (let attempt = 0; attempt < 8; attempt++) {
        // Conflicts mean a colliding code (try another) or a session opened meanwhile (resume it).
        const { rows } = await trx.raw(
          `insert into ${T.sessions} (tenant_id, code, visitor_id, visitor_name, visitor_email, channel_id, skill_group_id, priority, context, visitor_seen_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing returning *`,
          [tenantId, newSessionCode(this.d.clock.now()), v.visitorId, input.name ?? null, input.email ?? null, channel.id, groupId, priority, JSON.stringify(input.context ?? {}), this.d.clock.now()],
        );
        if (rows[0]) {
          const s = rows[0] as SessionRow;
          await this.d.recordEvent(trx, tenantId, 'conversations.session.created', { sessionId: s.id, code: s.code, visitorId: s.visitor_id, skillGroupId: s.skill_group_id, priority });
          return s;
        }
        if (await openSessionOf(trx, tenantId, v.visitorId, channel.id)) return null;
      }
      throw new Error('could not allocate a unique session code');
    });
    if (!created) return { resumed: true, session: (await findRecord(this.d.knex, tenantId, (await openSessionOf(this.d.knex, tenantId, v.visitorId, channel.id))!.id))! };

    void this.d.hooks.action('conversations.session.created', { tenantId }, {
      sessionId: created.id, code: created.code, visitorId: created.visitor_id, skillGroupId: created.skill_group_id, state: 'queued', priority,
    });
    await this.router.drain(tenantId);
    const session = (await findRecord(this.d.knex, tenantId, created.id))!;
    if (session.state === 'queued') await this.router.queueMoved(tenantId, [session.skill_group_id]);
    return { resumed: false, session };
  }

  private async refreshVisitor(open: SessionRow, input: StartInput): Promise<SessionRecord> {
    const patch = { ...(input.name ? { visitor_name: input.name } : {}), ...(input.email ? { visitor_email: input.email } : {}) };
    if (Object.keys(patch).length) await this.d.knex(T.sessions).where({ id: open.id }).update(patch);
    return (await findRecord(this.d.knex, open.tenant_id, open.id))!;
  }

  async listForVisitor(v: VisitorPrincipal): Promise<SessionRecord[]> {
    return records(this.d.knex).where({ 's.tenant_id': v.tenantId, 's.visitor_id': v.visitorId }).orderBy('s.created_at', 'desc').limit(50);
  }

  /** The agent's open sessions, optionally narrowed by visitor name. */
  async mine(m: MemberPrincipal, q?: string): Promise<SessionRecord[]> {
    const query = records(this.d.knex).where({ 's.tenant_id': m.tenantId, 's.agent_id': m.memberId, 's.state': 'active' });
    if (q && q.trim()) query.andWhereRaw(`lower(s.visitor_name) like ? escape '\\'`, [containsPattern(q)]);
    return query.orderBy([{ column: 's.last_message_at', order: 'desc', nulls: 'last' }, { column: 's.assigned_at', order: 'desc' }]);
  }

  /** The waiting queue: VIP first, then oldest. */
  async queue(m: MemberPrincipal): Promise<Array<SessionRecord & { position: number }>> {
    const rows: SessionRecord[] = await records(this.d.knex)
      .where({ 's.tenant_id': m.tenantId, 's.state': 'queued' })
      .orderBy([{ column: 's.priority', order: 'desc' }, 's.queued_at', 's.id'])
      .limit(500);
    const perGroup = new Map<string, number>();
    return rows.map((s) => {
      const position = (perGroup.get(s.skill_group_id) ?? 0) + 1;
      perGroup.set(s.skill_group_id, position);
      return { ...s, position };
    });
  }

  /** An agent takes a queued session. */
  async pick(m: MemberPrincipal, idOrCode: string): Promise<SessionRecord> {
    const s = await this.visible(m, idOrCode);
    await this.agents.ensure(m.tenantId, m.memberId);
    const assigned = await this.d.knex.transaction(async (trx) => {
      const locked = await lockSession(trx, m.tenantId, s.id);
      if (!locked || locked.state !== 'queued') throw errors.conflict('SESSION_NOT_QUEUED', 'This session is no longer waiting.');
      const [agent] = await lockAgents(trx, m.tenantId, [m.memberId]);
      if (agent.active_count >= agent.capacity) throw errors.conflict('AGENT_AT_CAPACITY', 'You are at your capacity; close a session first.');
      return this.router.assign(trx, locked, agent, true);
    });
    const record = await this.router.published(assigned);
    await this.router.queueMoved(m.tenantId, [record.skill_group_id]);
    return record;
  }

  /** Hands an active session to another agent (it stays active) or to a skill group's queue. */
  async transfer(m: MemberPrincipal, idOrCode: string, input: { toAgentId?: string; toSkillGroupId?: string; note?: string }): Promise<SessionRecord> {
    if (!!input.toAgentId === !!input.toSkillGroupId) {
      throw errors.badRequest('TRANSFER_TARGET_REQUIRED', 'Name exactly one of toAgentId and toSkillGroupId.', 'toAgentId');
    }
    assertNoNul(input.note, 'note');
    const s = await this.visible(m, idOrCode);
    const group = input.toSkillGroupId ? await findGroup(this.d.knex, m.tenantId, input.toSkillGroupId) : undefined;
    if (input.toSkillGroupId && !group) throw skillGroupNotFound();
    if (input.toAgentId) {
      const target = await findAgent(this.d.knex, m.tenantId, input.toAgentId);
      if (!target) {
        await this.d.members.get(m.tenantId, input.toAgentId); // 404 MEMBER_NOT_FOUND for strangers
        throw errors.conflict('AGENT_OFFLINE', 'That agent is offline.', 'toAgentId');
      }
    }

    const out = await this.d.knex.transaction(async (trx) => {
      const locked = await lockSession(trx, m.tenantId, s.id);
      if (!locked || locked.state !== 'active') throw errors.conflict('SESSION_NOT_ACTIVE', 'Only a session in progress can be transferred.');
      if (locked.agent_id !== m.memberId && !can(m, P.agents)) throw notYours();
      const from = locked.agent_id!;
      const messages: MessageRow[] = [];
      let updated: SessionRow;
      if (input.toAgentId) {
        if (input.toAgentId === from) throw errors.conflict('ALREADY_ASSIGNED', 'The session is already with that agent.', 'toAgentId');
        const locks = await lockAgents(trx, m.tenantId, [from, input.toAgentId]);
        const target = locks.find((a) => a.member_id === input.toAgentId)!;
        if (target.status === 'offline' || !this.agents.present(target)) throw errors.conflict('AGENT_OFFLINE', 'That agent is offline.', 'toAgentId');
        if (target.active_count >= target.capacity) throw errors.conflict('AGENT_AT_CAPACITY', 'That agent has no room for another session.', 'toAgentId');
        updated = await patchSession(trx, locked.id, { agent_id: target.member_id, agent_name: target.name });
        await addLoad(trx, m.tenantId, from, -1, false);
        await addLoad(trx, m.tenantId, target.member_id, 1, false);
        messages.push(await systemMessage(trx, updated, { event: 'transferred', fromAgentName: locked.agent_name, toAgentName: target.name, toSkillGroupName: null }, this.d.eventsFrom));
      } else {
        await lockAgents(trx, m.tenantId, [from]);
        // Back in the queue at its original age, so it is served before sessions that came later; the
        // visitor was being served, so their time away counts from now.
        updated = await patchSession(trx, locked.id, {
          state: 'queued', agent_id: null, agent_name: null, skill_group_id: group!.id, queued_at: locked.created_at, transferred_from_agent_id: from,
          visitor_seen_at: this.d.clock.now(),
        });
        await addLoad(trx, m.tenantId, from, -1, false);
        messages.push(await systemMessage(trx, updated, { event: 'transferred', fromAgentName: locked.agent_name, toAgentName: null, toSkillGroupName: group!.name }, this.d.eventsFrom));
      }
      if (input.note?.trim()) {
        messages.push(await systemMessage(trx, updated, { event: 'transfer-note', note: input.note.trim() }, this.d.eventsFrom, 'agents'));
      }
      await this.d.recordEvent(trx, m.tenantId, 'conversations.session.transferred', {
        sessionId: locked.id, code: locked.code, fromAgentId: from, toAgentId: input.toAgentId ?? null, toSkillGroupId: group?.id ?? null, byMemberId: m.memberId,
      });
      return { from, messages };
    });

    const record = (await findRecord(this.d.knex, m.tenantId, s.id))!;
    this.d.notifier.session(record, { previousAgentId: out.from });
    // The previous agent sees the transfer messages too, though the session is no longer theirs.
    for (const msg of out.messages) this.d.notifier.message(record, msg, { alsoAgents: [out.from] });
    void this.d.hooks.action('conversations.session.transferred', { tenantId: m.tenantId }, {
      sessionId: record.id, code: record.code, visitorId: record.visitor_id, skillGroupId: record.skill_group_id,
      fromAgentId: out.from, toAgentId: input.toAgentId ?? null, toSkillGroupId: group?.id ?? null, byMemberId: m.memberId,
    });
    await this.router.drain(m.tenantId);
    const final = (await findRecord(this.d.knex, m.tenantId, s.id))!;
    if (final.state === 'queued') await this.router.queueMoved(m.tenantId, [final.skill_group_id]);
    return final;
  }

  /** An agent closes a session; a visitor leaving aborts a queued one and closes an active one. */
  async close(actor: Actor, idOrCode: string): Promise<SessionRecord> {
    const s = await this.visible(actor, idOrCode);
    const ended = await this.end(actor.tenantId, s.id, actor.kind === 'visitor' ? 'visitor' : 'agent', (locked) => {
      if (!isOpen(locked)) throw closedError();
      if (actor.kind === 'member') {
        const allowed = locked.state === 'queued' ? can(actor, P.queue) : locked.agent_id === actor.memberId || can(actor, P.agents);
        if (!allowed) throw notYours();
      }
      return true;
    });
    if (!ended) throw sessionNotFound();
    const { record, wasQueued } = ended;
    if (wasQueued) await this.router.queueMoved(actor.tenantId, [record.skill_group_id]);
    else await this.router.drain(actor.tenantId);
    return record;
  }

  /**
   * Aborts a queued session whose visitor has not been seen since `cutoff`, as if they had left;
   * null when they came back (or the session moved on) meanwhile. The caller updates the queue.
   */
  async abandon(tenantId: string, sessionId: string, cutoff: Date): Promise<SessionRecord | null> {
    const out = await this.end(tenantId, sessionId, 'system', (locked) => locked.state === 'queued' && locked.visitor_seen_at < cutoff);
    return out?.record ?? null;
  }

  /**
   * Ends a session in one transaction, if `check` (run on the locked row) allows it: a queued session
   * that is not ended by an agent is aborted, anything else closed. Then tells the visitor, the agent and the hooks.
   */
  private async end(tenantId: string, sessionId: string, by: 'agent' | 'visitor' | 'system', check: (locked: SessionRow) => boolean): Promise<{ record: SessionRecord; wasQueued: boolean } | null> {
    const out = await this.d.knex.transaction(async (trx) => {
      const locked = await lockSession(trx, tenantId, sessionId);
      if (!locked || !check(locked)) return null;
      const state: 'closed' | 'aborted' = locked.state === 'queued' && by !== 'agent' ? 'aborted' : 'closed';
      if (locked.agent_id) {
        await lockAgents(trx, tenantId, [locked.agent_id]);
        await addLoad(trx, tenantId, locked.agent_id, -1, false);
      }
      const updated = await patchSession(trx, locked.id, { state, closed_at: trx.fn.now(), closed_by: by });
      const message = await systemMessage(trx, updated, state === 'aborted' ? { event: 'aborted', by } : { event: 'closed', by }, this.d.eventsFrom);
      await this.d.recordEvent(trx, tenantId, 'conversations.session.closed', { sessionId: locked.id, code: locked.code, state, agentId: locked.agent_id, closedBy: by });
      return { wasQueued: locked.state === 'queued', state, message };
    });
    if (!out) return null;
    const record = (await findRecord(this.d.knex, tenantId, sessionId))!;
    this.d.notifier.session(record);
    this.d.notifier.message(record, out.message);
    void this.d.hooks.action('conversations.session.closed', { tenantId }, {
      sessionId: record.id, code: record.code, visitorId: record.visitor_id, skillGroupId: record.skill_group_id,
      state: out.state, agentId: record.agent_id, closedBy: by,
    });
    return { record, wasQueued: out.wasQueued };
  }

  /** Marks messages up to `seq` as read by the visitor or the session's agent. */
  async read(actor: Actor, idOrCode: string, seq: number): Promise<{ unread: number }> {
    const s = await this.visible(actor, idOrCode);
    const visitor = actor.kind === 'visitor';
    if (!visitor && s.agent_id !== actor.memberId) throw notYours();
    const readCol = visitor ? 'visitor_read_seq' : 'agent_read_seq';
    const unreadCol = visitor ? 'unread_visitor' : 'unread_agent';
    const counted = visitor ? `'agent'` : `'visitor'`;
    const [row] = await this.d.knex(T.sessions)
      .where({ id: s.id })
      .update({
        [readCol]: this.d.knex.raw(`greatest(${readCol}, least(?, last_seq))`, [seq]),
        [unreadCol]: this.d.knex.raw(
          `(select count(*) from ${T.messages} m where m.session_id = ${T.sessions}.id and m.sender_kind = ${counted} and m.visibility = 'all' and m.seq > greatest(${T.sessions}.${readCol}, least(?, ${T.sessions}.last_seq)))`,
          [seq],
        ),
      })
      .returning([unreadCol]);
    return { unread: Number(row[unreadCol]) };
  }

  async queued(tenantId: string): Promise<number> {
    return queuedCount(this.d.knex, tenantId);
  }
}
