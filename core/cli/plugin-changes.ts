/** Tells the operator which plugins a licence change switched on or off for a tenant. */
import type { PluginSwitch } from './kernel.ts';

export function describeSwitches(tenantId: string, switched: PluginSwitch[]): string[] {
  const mine = switched.filter((s) => s.tenantId === tenantId);
  const off = mine.filter((s) => !s.enabled).map((s) => s.pluginId);
  const on = mine.filter((s) => s.enabled).map((s) => s.pluginId);
  return [
    ...(off.length ? [`Now off: ${off.join(', ')} (their data is kept).`] : []),
    ...(on.length ? [`Now on: ${on.join(', ')}.`] : []),
  ];
}
