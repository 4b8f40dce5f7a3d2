/**
 * Presence that survives a crashed process. Each process knows who is connected to it (agent
 * sockets; visitor sockets and visitors' recent requests) and stamps them in the database every tick,
 * one statement per kind. A sweep, on one process at a time, takes agents not stamped within the
 * grace offline and aborts queued sessions whose visitor has been away longer than their tenant
 * allows. A process that dies stops stamping, so its agents and visitors go away with it; memory
 * alone could not tell, since the visitor or agent may be connected to another process.
 */
import type { MemberPrincipal, VisitorPrincipal } from '../../../../core/auth/principal.ts';
import type { Deps } from './deps.ts';
import type { Agents } from './agents.ts';
import type { Sessions } from './sessions.ts';
import type { Router } from './routing.ts';
import { offlineUnseen, stampAgents } from '../db/agents.ts';
import { awaySessions, awayTenants, stampVisitors } from '../db/sessions.ts';

/** Queued sessions aborted per sweep at most; the rest wait for the next one. */
const SWEEP_LIMIT = 500;

interface ConnectedVisitor {
  tenantId: string;
  visitorId: string;
  sockets: number;
  /** Made a request since the last tick. */
  requested: boolean;
}

const key = (tenantId: string, id: string) => `${tenantId}:${id}`;

export class Presence {
  private readonly agentSockets = new Map<string, { principal: MemberPrincipal; sockets: number }>();
  private readonly visitors = new Map<string, ConnectedVisitor>();
  /** Since when (clock ms) this process's heartbeats have succeeded without a break. */
  private stampingSince?: number;

  constructor(
    private readonly d: Deps,
    private readonly agents: Agents,
    private readonly sessions: Sessions,
    private readonly router: Router,
    private readonly opts: { tickMs: number; isEnabled: (tenantId: string) => Promise<boolean> },
  ) {}

  agentConnected(p: MemberPrincipal): void {
    const k = key(p.tenantId, p.memberId);
    const entry = this.agentSockets.get(k);
    if (entry) entry.sockets += 1;
    else this.agentSockets.set(k, { principal: p, sockets: 1 });
  }

  agentDisconnected(p: MemberPrincipal): void {
    const k = key(p.tenantId, p.memberId);
    const entry = this.agentSockets.get(k);
    if (entry && --entry.sockets <= 0) this.agentSockets.delete(k);
  }

  /** A visitor socket connected: stamped now, so a visitor coming back just in time keeps their place. */
  async visitorConnected(v: VisitorPrincipal): Promise<void> {
    this.visitor(v).sockets += 1;
    await this.stampNow(v);
  }

  /** A visitor socket went away: stamped now, so their time away counts from this moment. */
  async visitorDisconnected(v: VisitorPrincipal): Promise<void> {
    const k = key(v.tenantId, v.visitorId);
    const entry = this.visitors.get(k);
    if (entry) {
      entry.sockets -= 1;
      if (entry.sockets <= 0 && !entry.requested) this.visitors.delete(k);
    }
    await this.stampNow(v);
  }

  /**
   * A visitor made a request. The first one this process sees is stamped at once (they may be
   * coming back just before the sweep); later ones ride on the next tick.
   */
  async visitorRequested(v: VisitorPrincipal): Promise<void> {
    const known = this.visitors.has(key(v.tenantId, v.visitorId));
    this.visitor(v).requested = true;
    if (!known) await this.stampNow(v);
  }

  /** Every tick, on every process: stamps who is connected here (one statement per kind). */
  async heartbeat(now: Date): Promise<void> {
    try {
      await this.stamp(now);
    } catch (err) {
      this.stampingSince = undefined;
      throw err;
    }
    this.stampingSince ??= now.getTime();
  }

  private async stamp(now: Date): Promise<void> {
    const visitors: ConnectedVisitor[] = [];
    for (const [k, v] of this.visitors) {
      if (v.sockets > 0 || v.requested) visitors.push(v);
      // Requests count for one tick; a visitor who stops making them is forgotten (and stamped at once on return).
      else this.visitors.delete(k);
      v.requested = false;
    }
    if (visitors.length) await stampVisitors(this.d.knex, visitors, now);

    const agents = [...this.agentSockets.values()].map((a) => a.principal);
    if (!agents.length) return;
    // Agents taken offline while this process could not stamp them (a stalled heartbeat, the database
    // away for longer than the grace) come back as if they had just connected; rare, one at a time.
    for (const row of await stampAgents(this.d.knex, agents, now)) {
      const entry = this.agentSockets.get(key(row.tenant_id, row.member_id));
      if (entry) await this.agents.connected(entry.principal).catch((err) => this.d.log.error({ err }, 'agent presence restore failed'));
    }
  }

  /** Every tick, on one process: agents not seen within the grace go offline, away visitors' queued sessions are aborted. */
  async sweep(now: Date): Promise<void> {
    // After the database was away (or at start), every process needs a tick to stamp again, or the
    // agents and visitors connected all along would look gone: trust the stamps only once this process has.
    if (this.stampingSince === undefined || now.getTime() - this.stampingSince < this.opts.tickMs) return;
    const graceStart = new Date(now.getTime() - this.d.presenceGraceMs);
    // Across tenants in one statement: this plugin is required, so it is on wherever an agent row exists.
    for (const row of await offlineUnseen(this.d.knex, graceStart)) {
      // Told like a status change: any console of theirs still connected somewhere learns it.
      this.d.notifier.agentState(await this.agents.view(row));
    }

    // Only tenants with someone away longer than the grace read their settings.
    const cutoffs = new Map<string, Date>();
    for (const tenantId of await awayTenants(this.d.knex, graceStart)) {
      if (!(await this.opts.isEnabled(tenantId))) continue;
      // Never shorter than the grace: a connected visitor is stamped once a tick.
      const awayMs = Math.max((await this.d.settings(tenantId)).queuedVisitorAwaySeconds * 1000, this.d.presenceGraceMs);
      cutoffs.set(tenantId, new Date(now.getTime() - awayMs));
    }
    if (!cutoffs.size) return;
    const moved = new Map<string, string[]>();
    for (const s of await awaySessions(this.d.knex, [...cutoffs].map(([tenantId, cutoff]) => ({ tenantId, cutoff })), SWEEP_LIMIT)) {
      try {
        const aborted = await this.sessions.abandon(s.tenant_id, s.id, cutoffs.get(s.tenant_id)!);
        if (aborted) moved.set(s.tenant_id, [...(moved.get(s.tenant_id) ?? []), aborted.skill_group_id]);
      } catch (err) {
        this.d.log.error({ err, sessionId: s.id }, 'could not abort an abandoned queued session');
      }
    }
    for (const [tenantId, groupIds] of moved) await this.router.queueMoved(tenantId, groupIds);
  }

  private visitor(v: VisitorPrincipal): ConnectedVisitor {
    const k = key(v.tenantId, v.visitorId);
    let entry = this.visitors.get(k);
    if (!entry) {
      entry = { tenantId: v.tenantId, visitorId: v.visitorId, sockets: 0, requested: false };
      this.visitors.set(k, entry);
    }
    return entry;
  }

  private stampNow(v: VisitorPrincipal): Promise<void> {
    return stampVisitors(this.d.knex, [v], this.d.clock.now());
  }
}
