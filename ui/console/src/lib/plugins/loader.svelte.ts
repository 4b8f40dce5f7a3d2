/**
 * Loads the console modules of the tenant's ENABLED plugins only, by dynamic import of the URL the
 * bootstrap gives (the kernel refuses the module of a disabled plugin). Each module exports
 * `register(api)`. A plugin that fails to load is reported and skipped; the console keeps working.
 */
import type { EnabledPlugin } from '../session.svelte.ts';
import { clearSlots, removeContributions } from './slots.svelte.ts';
import { pluginApi } from './plugin-api.ts';
import type { ConsolePluginModule } from '../../../plugin-api.d.ts';

export interface PluginLoadFailure {
  pluginId: string;
  message: string;
}

const state = $state<{ failures: PluginLoadFailure[]; loaded: string[] }>({ failures: [], loaded: [] });

export const pluginLoader = {
  get failures() {
    return state.failures;
  },
  /** Ids of plugins whose console module registered successfully. */
  get loaded() {
    return state.loaded;
  },
};

/** Rebuilds every slot from the given enabled plugins (modules are cached by the browser after the first import). */
export async function loadPlugins(plugins: EnabledPlugin[]): Promise<void> {
  clearSlots();
  const failures: PluginLoadFailure[] = [];
  const loaded: string[] = [];
  const withUi = plugins.filter((p) => p.ui);
  const modules = await Promise.allSettled(withUi.map((p) => import(/* @vite-ignore */ p.ui!) as Promise<ConsolePluginModule>));
  // Register in bootstrap order (dependency order) so a plugin's contributions follow its dependencies'.
  for (let i = 0; i < withUi.length; i++) {
    const plugin = withUi[i]!;
    const result = modules[i]!;
    try {
      if (result.status === 'rejected') throw result.reason;
      if (typeof result.value.register !== 'function') throw new Error('the module does not export register(api)');
      await result.value.register(pluginApi(plugin.id));
      loaded.push(plugin.id);
    } catch (err) {
      removeContributions(plugin.id);
      failures.push({ pluginId: plugin.id, message: err instanceof Error ? err.message : String(err) });
      console.error(`plugin ${plugin.id}: console UI failed to load`, err);
    }
  }
  state.failures = failures;
  state.loaded = loaded;
}
