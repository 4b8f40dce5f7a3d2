/**
 * The hook catalogue. Plugins add their own hooks by declaration merging:
 *
 *   declare module '../../core/hooks/types.ts' {
 *     interface ActionPayloads { 'conversation.closed': { sessionId: string } }
 *   }
 */
export interface ActionPayloads {
  'plugin.enabled': { pluginId: string };
  'plugin.disabled': { pluginId: string };
  'member.created': { memberId: string; roleKey: string };
  'member.login': { memberId: string; kind: 'manual' | 'remembered' };
  'visitor.created': { visitorId: string };
}

export interface FilterValues {
  /** The console bootstrap payload, before it is sent to a member. */
  'console.bootstrap': Record<string, unknown>;
}

export type ActionName = keyof ActionPayloads;
export type FilterName = keyof FilterValues;

/** What every hook handler is told about where it runs. */
export interface HookContext {
  tenantId: string;
}
