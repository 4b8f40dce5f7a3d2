/**
 * Prints the widget's sizes as a host page pays for them, gzipped as Parley serves them:
 * `/widget.js` (everything loaded before the visitor opens the chat; budget 20 KB) and the chat
 * bundle loaded on open. Run after a build: `node --import tsx ui/widget/measure-size.ts [--json]`.
 * Exits with 1 when the loader is over budget.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

export const LOADER_BUDGET_BYTES = 20 * 1024;
const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/widget');

export interface WidgetSizes {
  loader: { file: string; bytes: number; gzip: number };
  chat: { files: string[]; bytes: number; gzip: number };
}

export function measure(dir = distDir): WidgetSizes {
  const size = (file: string) => {
    const data = fs.readFileSync(path.join(dir, file));
    return { bytes: data.length, gzip: zlib.gzipSync(data, { level: 9 }).length };
  };
  if (!fs.existsSync(path.join(dir, 'widget.js'))) throw new Error(`no widget build in ${dir}; run: npx vite build --config ui/widget/vite.config.ts`);
  const chatFiles = fs.readdirSync(dir).filter((f) => /^chat-.*\.js$/.test(f)).sort();
  const chat = chatFiles.map(size).reduce((a, b) => ({ bytes: a.bytes + b.bytes, gzip: a.gzip + b.gzip }), { bytes: 0, gzip: 0 });
  return { loader: { file: 'widget.js', ...size('widget.js') }, chat: { files: chatFiles, ...chat } };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sizes = measure();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  if (process.argv.includes('--json')) console.log(JSON.stringify({ ...sizes, loaderBudget: LOADER_BUDGET_BYTES }));
  else {
    console.log(`widget.js (loaded by every page):   ${kb(sizes.loader.gzip)} gzipped (${kb(sizes.loader.bytes)} raw), budget ${kb(LOADER_BUDGET_BYTES)}`);
    console.log(`chat bundle (loaded on open):       ${kb(sizes.chat.gzip)} gzipped (${kb(sizes.chat.bytes)} raw) in ${sizes.chat.files.join(', ')}`);
  }
  if (sizes.loader.gzip > LOADER_BUDGET_BYTES) {
    console.error(`widget.js is over its budget by ${kb(sizes.loader.gzip - LOADER_BUDGET_BYTES)}`);
    process.exitCode = 1;
  }
}
