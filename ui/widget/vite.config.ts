/**
 * Builds the visitor widget into `ui/dist/widget/` (served by core/http/static-widget.ts):
 *   widget.js          the loader a site embeds; stable name, short cache; a classic script
 *   chat-[hash].js     the chat (and socket.io), an ES module imported by the loader on open; immutable
 *   chat-*-[hash].js   any chunk the chat splits off
 *   plugins/<id>.js    each discovered plugin's `ui.widget` entry, a self-contained ES module the chat
 *                      imports when the tenant has the plugin enabled (GET /api/visitor/ui/:tenant)
 *
 * One Rollup build with two entries. The loader must stay a self-contained classic script, so the
 * build fails if it imports anything, is wrapped in a function (no globals besides `window.Parley`),
 * and learns the chat bundle's hashed name by text replacement once that name is known.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, transformWithEsbuild, type Plugin } from 'vite';
import { discoverPlugins } from '../../core/plugin-host/discover.ts';

const widgetDir = path.dirname(fileURLToPath(import.meta.url));
export const outDir = path.resolve(widgetDir, '../dist/widget');
const rootDir = path.resolve(widgetDir, '../..');
const PLACEHOLDER = '__PARLEY_CHAT_FILE__';

/** Plugins are found like ui/vite.config.ts finds them (folders of `plugins/` plus `PARLEY_PLUGINS`). */
function pluginWidgetEntries(): Record<string, string> {
  const extra = (process.env.PARLEY_PLUGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const entries: Record<string, string> = {};
  for (const p of discoverPlugins(path.join(rootDir, 'plugins'), extra, rootDir)) {
    const entry = p.manifest.ui?.widget;
    if (!entry) continue;
    const file = path.resolve(p.dir, entry);
    if (!file.startsWith(p.dir + path.sep)) throw new Error(`plugin ${p.manifest.id}: ui.widget must stay inside the plugin folder`);
    if (!fs.existsSync(file)) {
      // One plugin's missing UI must not stop the widget building; the listing leaves it out.
      console.warn(`\n[parley] plugin ${p.manifest.id}: ui.widget file ${file} does not exist; its widget UI is left out\n`);
      continue;
    }
    entries[`plugins/${p.manifest.id}`] = file;
  }
  return entries;
}

function widgetBundle(): Plugin {
  return {
    name: 'parley-widget-bundle',
    apply: 'build',
    enforce: 'post',
    buildStart() {
      fs.rmSync(outDir, { recursive: true, force: true });
    },
    async generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((c) => c.type === 'chunk');
      // Library mode leaves ES output unminified (hashes are already computed from the unminified code).
      for (const c of chunks) {
        c.code = (await transformWithEsbuild(c.code, c.fileName, { minify: true, target: 'es2020', format: 'esm', legalComments: 'none' })).code;
      }
      const loader = chunks.find((c) => c.isEntry && c.name === 'widget');
      const chat = chunks.find((c) => c.isEntry && c.name === 'chat');
      if (!loader || loader.type !== 'chunk' || !chat) throw new Error('widget build: the widget or chat entry is missing');
      if (loader.imports.length || loader.dynamicImports.length) {
        throw new Error(`widget build: widget.js must not import other chunks (it imports ${[...loader.imports, ...loader.dynamicImports].join(', ')}); do not share modules between the loader and the chat`);
      }
      for (const c of chunks) {
        if (c.isEntry && c.name.startsWith('plugins/') && (c.imports.length || c.dynamicImports.length)) {
          throw new Error(`widget build: ${c.fileName} must be self-contained (it imports ${[...c.imports, ...c.dynamicImports].join(', ')}); do not share modules between a plugin and the chat`);
        }
      }
      if (!/^[\w.-]+$/.test(chat.fileName)) throw new Error(`widget build: unexpected chat file name ${chat.fileName}`);
      const parts = loader.code.split(PLACEHOLDER);
      if (parts.length !== 2) throw new Error(`widget build: expected the chat file placeholder exactly once in widget.js, found ${parts.length - 1}`);
      loader.code = `(function(){"use strict";${parts.join(chat.fileName)}})();\n`;
    },
  };
}

export default defineConfig({
  root: widgetDir,
  publicDir: false,
  logLevel: 'warn',
  plugins: [widgetBundle()],
  build: {
    outDir,
    emptyOutDir: false,
    target: 'es2020',
    modulePreload: false,
    sourcemap: false,
    // Library mode: no HTML entry and no module-preload helper wrapped around the loader's import().
    lib: {
      entry: { widget: path.join(widgetDir, 'src/loader/main.ts'), chat: path.join(widgetDir, 'src/chat/main.ts'), ...pluginWidgetEntries() },
      formats: ['es'],
    },
    rollupOptions: {
      output: {
        entryFileNames: (chunk) => (chunk.name === 'widget' ? 'widget.js' : chunk.name.startsWith('plugins/') ? '[name].js' : 'chat-[hash].js'),
        chunkFileNames: 'chat-[name]-[hash].js',
      },
    },
  },
});
