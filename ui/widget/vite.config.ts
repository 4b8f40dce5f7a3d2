/**
 * Builds the visitor widget into `ui/dist/widget/` (served by core/http/static-widget.ts):
 *   widget.js          the loader a site embeds; stable name, short cache; a classic script
 *   chat-[hash].js     the chat (and socket.io), an ES module imported by the loader on open; immutable
 *   chat-*-[hash].js   any chunk the chat splits off
 *
 * One Rollup build with two entries. The loader must stay a self-contained classic script, so the
 * build fails if it imports anything, is wrapped in a function (no globals besides `window.Parley`),
 * and learns the chat bundle's hashed name by text replacement once that name is known.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, transformWithEsbuild, type Plugin } from 'vite';

const widgetDir = path.dirname(fileURLToPath(import.meta.url));
export const outDir = path.resolve(widgetDir, '../dist/widget');
const PLACEHOLDER = '__PARLEY_CHAT_FILE__';

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
      entry: { widget: path.join(widgetDir, 'src/loader/main.ts'), chat: path.join(widgetDir, 'src/chat/main.ts') },
      formats: ['es'],
    },
    rollupOptions: {
      output: {
        entryFileNames: (chunk) => (chunk.name === 'widget' ? 'widget.js' : 'chat-[hash].js'),
        chunkFileNames: 'chat-[name]-[hash].js',
      },
    },
  },
});
