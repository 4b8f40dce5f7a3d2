/**
 * What the send path remembers of a session between messages, so that a message costs one
 * database round trip. Only `id`, `tenant_id` and `visitor_id` are relied on (they never change);
 * state, agent and names are a hint, re-checked by the store statement itself.
 */
import type { SessionFacts } from '../types.ts';

export class SessionFactsCache {
  private readonly entries = new Map<string, SessionFacts>();

  constructor(private readonly max = 20_000) {}

  get(tenantId: string, idOrCode: string): SessionFacts | undefined {
    return this.entries.get(`${tenantId}/${idOrCode}`);
  }

  /**
   * Remembers the session as just read or written; the oldest entry makes room when full. An
   * unchanged entry is kept as it is: a copy made on every message outlives the young generation
   * (a session writes every second or two) only to become garbage in the old one.
   */
  set(tenantId: string, idOrCode: string, s: SessionFacts): void {
    const key = `${tenantId}/${idOrCode}`;
    const had = this.entries.get(key);
    if (had && had.id === s.id && had.state === s.state && had.agent_id === s.agent_id && had.agent_name === s.agent_name && had.visitor_name === s.visitor_name) return;
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { id: s.id, tenant_id: s.tenant_id, visitor_id: s.visitor_id, visitor_name: s.visitor_name, agent_id: s.agent_id, agent_name: s.agent_name, state: s.state });
  }
}
