/**
 * Builds the console and every plugin's console UI in ONE build, so plugin components share the
 * console's Svelte runtime (common code lands in hashed chunks both import).
 *
 * Output (`ui/dist/`, served by core/http/static-ui.ts under `/ui/`):
 *   console/index.html            the console page (served at /console/ and its client routes)
 *   console/assets/*-[hash].*     scripts, styles and shared chunks (cached for a year)
 *   plugins/<id>/console.js       a plugin's `ui.console` entry (served only to tenants that enabled it)
 *
 * Plugins are found like the server finds them: folders of `plugins/` plus `PARLEY_PLUGINS`
 * (comma-separated folders or npm packages), so an installed plugin's UI is compiled by `npm run build`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { discoverPlugins } from '../core/plugin-host/discover.ts';

const uiDir = path.dirname(fileURLToPath(import.meta.url));
const rootDir = path.resolve(uiDir, '..');
const distDir = path.join(uiDir, 'dist');
// Built aside, then moved into place in one step, so a running server never serves a half-built console.
const stagingDir = path.join(distDir, `.staging-console-${process.pid}`);
const OWN_DIRS = ['console', 'plugins'];

function pluginConsoleEntries(): Record<string, string> {
  const extra = (process.env.PARLEY_PLUGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const entries: Record<string, string> = {};
  for (const p of discoverPlugins(path.join(rootDir, 'plugins'), extra, rootDir)) {
    const entry = p.manifest.ui?.console;
    if (!entry) continue;
    const file = path.resolve(p.dir, entry);
    if (!file.startsWith(p.dir + path.sep)) throw new Error(`plugin ${p.manifest.id}: ui.console must stay inside the plugin folder`);
    if (!fs.existsSync(file)) {
      // One plugin's missing UI must not stop the console building; the console reports it at runtime.
      console.warn(`\n[parley] plugin ${p.manifest.id}: ui.console file ${file} does not exist; its console UI is left out\n`);
      continue;
    }
    entries[`plugins/${p.manifest.id}/console`] = file;
  }
  return entries;
}

/** Replaces only this build's folders of `ui/dist` (the widget's build shares it), once the build is complete. */
function publishOwnOutput(): Plugin {
  return {
    name: 'parley-publish-console-output',
    apply: 'build',
    closeBundle() {
      for (const dir of OWN_DIRS) {
        const built = path.join(stagingDir, dir);
        const target = path.join(distDir, dir);
        const old = `${target}.old-${process.pid}`;
        fs.rmSync(old, { recursive: true, force: true });
        if (fs.existsSync(target)) fs.renameSync(target, old);
        if (fs.existsSync(built)) fs.renameSync(built, target);
        fs.rmSync(old, { recursive: true, force: true });
      }
      fs.rmSync(stagingDir, { recursive: true, force: true });
    },
  };
}

export default defineConfig({
  root: uiDir,
  base: '/ui/',
  publicDir: false,
  logLevel: 'warn',
  plugins: [svelte(), publishOwnOutput()],
  resolve: { dedupe: ['svelte'] },
  build: {
    outDir: stagingDir,
    emptyOutDir: true,
    assetsDir: 'console/assets',
    target: 'es2022',
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      input: { console: path.join(uiDir, 'console/index.html'), ...pluginConsoleEntries() },
      // Plugin entries are modules whose `register` export the console calls.
      preserveEntrySignatures: 'exports-only',
      output: {
        entryFileNames: (chunk) => (chunk.name.startsWith('plugins/') ? '[name].js' : 'console/assets/[name]-[hash].js'),
      },
    },
  },
});
