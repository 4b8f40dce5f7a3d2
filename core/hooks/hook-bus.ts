/**
 * Event hooks. Actions tell handlers that something happened; they run after the fact, concurrently,
 * and a failing handler is only logged. Filters transform a value: awaited in priority order, each
 * may return a replacement; a failing filter is logged and skipped. Either kind reaches a handler
 * only when its owner (a plugin) is enabled for the tenant; the kernel's own handlers always run.
 */
import type { Logger } from 'pino';
import type { ActionName, ActionPayloads, FilterName, FilterValues, HookContext } from './types.ts';

export const KERNEL_OWNER = 'core';

type ActionHandler<N extends ActionName> = (payload: ActionPayloads[N], ctx: HookContext) => unknown;
type FilterHandler<N extends FilterName> = (value: FilterValues[N], ctx: HookContext) => FilterValues[N] | Promise<FilterValues[N]>;

interface Registered<H> {
  owner: string;
  priority: number;
  handler: H;
}

export type EnabledOwners = (tenantId: string) => Promise<ReadonlySet<string>>;

export class HookBus {
  private readonly actions = new Map<string, Registered<ActionHandler<never>>[]>();
  private readonly filters = new Map<string, Registered<FilterHandler<never>>[]>();

  constructor(
    private readonly enabledOwners: EnabledOwners,
    private readonly log: Logger,
  ) {}

  onAction<N extends ActionName>(owner: string, name: N, handler: ActionHandler<N>): void {
    const list = this.actions.get(name) ?? [];
    list.push({ owner, priority: 0, handler: handler as ActionHandler<never> });
    this.actions.set(name, list);
  }

  addFilter<N extends FilterName>(owner: string, name: N, handler: FilterHandler<N>, priority = 100): void {
    const list = this.filters.get(name) ?? [];
    list.push({ owner, priority, handler: handler as unknown as FilterHandler<never> });
    list.sort((a, b) => a.priority - b.priority);
    this.filters.set(name, list);
  }

  /**
   * The handlers a hook reaches for a tenant, in delivery order: the kernel's, and those of plugins
   * enabled for the tenant. `action` and `filter` deliver through this and nothing else.
   */
  private async active<H>(list: Registered<H>[] | undefined, tenantId: string): Promise<Registered<H>[]> {
    if (!list || list.length === 0) return [];
    const enabled = await this.enabledOwners(tenantId);
    return list.filter((r) => r.owner === KERNEL_OWNER || enabled.has(r.owner));
  }

  /** Owners of the handlers that `action`/`filter` would run for a tenant, in order (for the contract test and diagnostics). */
  async recipients(kind: 'action' | 'filter', name: string, tenantId: string): Promise<string[]> {
    const list = kind === 'action' ? this.actions.get(name) : this.filters.get(name);
    return (await this.active(list, tenantId)).map((r) => r.owner);
  }

  /** Delivers an action; resolves when every handler has finished. Never rejects. */
  async action<N extends ActionName>(name: N, ctx: HookContext, payload: ActionPayloads[N]): Promise<void> {
    let handlers: Registered<ActionHandler<never>>[];
    try {
      handlers = await this.active(this.actions.get(name), ctx.tenantId);
    } catch (err) {
      this.log.error({ err, hook: name }, 'could not resolve action handlers');
      return;
    }
    await Promise.all(
      handlers.map(async (h) => {
        try {
          await (h.handler as ActionHandler<N>)(payload, ctx);
        } catch (err) {
          this.log.error({ err, hook: name, owner: h.owner }, 'action handler failed');
        }
      }),
    );
  }

  /** Runs the filters over `value` in order and returns the result. */
  async filter<N extends FilterName>(name: N, ctx: HookContext, value: FilterValues[N]): Promise<FilterValues[N]> {
    const handlers = await this.active(this.filters.get(name), ctx.tenantId);
    let current = value;
    for (const h of handlers) {
      try {
        const next = await (h.handler as unknown as FilterHandler<N>)(current, ctx);
        if (next !== undefined) current = next;
      } catch (err) {
        this.log.error({ err, hook: name, owner: h.owner }, 'filter handler failed; value passed on unchanged');
      }
    }
    return current;
  }

  /** Names and owners of every handler, for diagnostics and the contract test. */
  registrations(): Array<{ kind: 'action' | 'filter'; name: string; owner: string }> {
    const out: Array<{ kind: 'action' | 'filter'; name: string; owner: string }> = [];
    for (const [name, list] of this.actions) for (const r of list) out.push({ kind: 'action', name, owner: r.owner });
    for (const [name, list] of this.filters) for (const r of list) out.push({ kind: 'filter', name, owner: r.owner });
    return out;
  }
}
