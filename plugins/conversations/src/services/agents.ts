/**
 * Agents' status and capacity. `offline` follows presence: an agent with no `/agent` socket is
 * offline, and connecting restores the status they chose last. Others (admins) may change an
 * online agent's status, never bring an offline one online. An agent is only as present as their
 * `last_seen_at`: processes stamp their connected agents, and routing ignores agents not seen
 * within the grace (a crashed process's ghosts) until the sweep takes them offline (presence.ts).
 */
import type { Socket } from 'socket.io';
import type { Deps } from './deps.ts';
import type { Router } from './routing.ts';
import { errors } from '../../../../core/http/errors.ts';
import { rooms } from '../../../../core/realtime/realtime.ts';
import type { MemberPrincipal } from '../../../../core/auth/principal.ts';
import { ensureAgent, findAgent, listAgents, lockAgents, patchAgent } from '../db/agents.ts';
import { T } from '../db/tables.ts';
import { groupIdsOf } from '../db/skill-groups.ts';
import { agentStateView } from '../views.ts';
import type { AgentRow, AgentStateView, OnlineStatus } from '../types.ts';

export interface StatePatch {
  status?: OnlineStatus;
  capacity?: number;
}

export class Agents {
  constructor(
    private readonly d: Deps,
    private readonly router: Router,
  ) {}

  /** Makes sure the member has an agent row; returns it. */
  async ensure(tenantId: string, memberId: string): Promise<AgentRow> {
    const member = await this.d.members.get(tenantId, memberId);
    if (member.disabled) throw errors.notFound('MEMBER_NOT_FOUND', 'No such member.');
    const { defaultCapacity } = await this.d.settings(tenantId);
    await ensureAgent(this.d.knex, tenantId, memberId, member.name, defaultCapacity);
    return (await findAgent(this.d.knex, tenantId, memberId))!;
  }

  /** Whether the agent was seen within the grace (a process holding their socket stamped them). */
  present(row: AgentRow): boolean {
    return !!row.last_seen_at && row.last_seen_at.getTime() >= this.d.clock.now().getTime() - this.d.presenceGraceMs;
  }

  async view(row: AgentRow): Promise<AgentStateView> {
    return agentStateView(row, await groupIdsOf(this.d.knex, row.tenant_id, row.member_id));
  }

  async me(p: MemberPrincipal): Promise<AgentStateView> {
    return this.view(await this.ensure(p.tenantId, p.memberId));
  }

  async list(tenantId: string): Promise<AgentStateView[]> {
    const rows = await listAgents(this.d.knex, tenantId);
    const links: Array<{ member_id: string; skill_group_id: string }> = await this.d.knex(T.groupAgents).where({ tenant_id: tenantId }).select('member_id', 'skill_group_id');
    return rows.map((r) => agentStateView(r, links.filter((l) => l.member_id === r.member_id).map((l) => l.skill_group_id)));
  }

  /** The agent changes their own status or capacity. */
  async setOwn(p: MemberPrincipal, patch: StatePatch): Promise<AgentStateView> {
    await this.ensure(p.tenantId, p.memberId);
    return this.apply(p.tenantId, p.memberId, patch, false);
  }

  /** An admin changes another member's status or capacity. */
  async setOther(p: MemberPrincipal, memberId: string, patch: StatePatch): Promise<AgentStateView> {
    await this.ensure(p.tenantId, memberId);
    return this.apply(p.tenantId, memberId, patch, memberId !== p.memberId);
  }

  private async apply(tenantId: string, memberId: string, patch: StatePatch, byOther: boolean): Promise<AgentStateView> {
    const row = await this.d.knex.transaction(async (trx) => {
      const [current] = await lockAgents(trx, tenantId, [memberId]);
      if (patch.status && byOther && current.status === 'offline') {
        throw errors.conflict('AGENT_OFFLINE', 'This agent is offline; only they can come online.', 'status');
      }
      return patchAgent(trx, tenantId, memberId, {
        // The agent acting for themselves is evidently there, socket or not.
        ...(byOther ? {} : { last_seen_at: this.d.clock.now() }),
        ...(patch.status ? { status: patch.status, preferred_status: patch.status } : {}),
        ...(patch.capacity !== undefined ? { capacity: patch.capacity } : {}),
      });
    });
    const view = await this.view(row);
    this.d.notifier.agentState(view);
    if (row.status === 'idle') await this.router.drain(tenantId);
    return view;
  }

  /** First socket of an agent: back to the status they chose. */
  async connected(p: MemberPrincipal): Promise<void> {
    await this.ensure(p.tenantId, p.memberId);
    const row = await this.d.knex.transaction(async (trx) => {
      const [current] = await lockAgents(trx, p.tenantId, [p.memberId]);
      return patchAgent(trx, p.tenantId, p.memberId, { status: current.status === 'offline' ? current.preferred_status : current.status, last_seen_at: this.d.clock.now() });
    });
    this.d.notifier.agentState(await this.view(row));
    if (row.status === 'idle') await this.router.drain(p.tenantId);
  }

  /** A socket went away: offline when it was the agent's last one (on any node). */
  async disconnected(p: MemberPrincipal, socket: Socket): Promise<void> {
    await this.d.knex.transaction(async (trx) => {
      const [current] = await lockAgents(trx, p.tenantId, [p.memberId]);
      if (!current || current.status === 'offline') return;
      // Counted under the row lock: a socket connecting meanwhile waits for it and then comes online.
      const remaining = await socket.nsp.in(rooms.member(p.memberId)).fetchSockets();
      if (remaining.length === 0) await patchAgent(trx, p.tenantId, p.memberId, { status: 'offline' });
    });
  }
}
