/** Finds plugins: every folder of `plugins/` with a manifest, then the configured extra paths. */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { readManifest, ManifestError, type PluginDescriptor } from './manifest.ts';

export function discoverPlugins(builtInDir: string, extraPaths: string[], cwd = process.cwd()): PluginDescriptor[] {
  const found: PluginDescriptor[] = [];
  if (fs.existsSync(builtInDir)) {
    for (const name of fs.readdirSync(builtInDir).sort()) {
      const dir = path.join(builtInDir, name);
      if (fs.existsSync(path.join(dir, 'plugin.json'))) found.push(readManifest(dir, true));
    }
  }
  const require = createRequire(path.join(cwd, 'package.json'));
  for (const entry of extraPaths) {
    const asPath = path.resolve(cwd, entry);
    let dir: string;
    if (fs.existsSync(path.join(asPath, 'plugin.json'))) dir = asPath;
    else {
      try {
        dir = path.dirname(require.resolve(`${entry}/plugin.json`));
      } catch {
        throw new ManifestError(`plugin "${entry}" not found (neither a folder with plugin.json nor an installed package)`);
      }
    }
    found.push(readManifest(dir, false));
  }
  const seen = new Set<string>();
  for (const p of found) {
    if (seen.has(p.manifest.id)) throw new ManifestError(`two plugins have the id "${p.manifest.id}"`);
    seen.add(p.manifest.id);
  }
  return found;
}

/** Orders plugins so each comes after its dependencies; refuses missing dependencies and cycles. */
export function orderByDependencies(plugins: PluginDescriptor[]): PluginDescriptor[] {
  const byId = new Map(plugins.map((p) => [p.manifest.id, p]));
  const ordered: PluginDescriptor[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (p: PluginDescriptor, trail: string[]) => {
    const id = p.manifest.id;
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new ManifestError(`plugin dependency cycle: ${[...trail, id].join(' -> ')}`);
    state.set(id, 'visiting');
    for (const dep of p.manifest.dependencies ?? []) {
      const target = byId.get(dep);
      if (!target) throw new ManifestError(`plugin "${id}" depends on "${dep}", which is not installed`);
      visit(target, [...trail, id]);
    }
    state.set(id, 'done');
    ordered.push(p);
  };
  for (const p of plugins) visit(p, []);
  return ordered;
}
