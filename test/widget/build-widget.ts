/**
 * Makes sure `ui/dist/widget` holds a build of the current widget sources before a test uses it:
 * builds when it is missing or older than any source file. A lock folder keeps parallel test
 * files from building at the same time.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../../core/app.ts';

export const WIDGET_DIST = path.join(ROOT_DIR, 'ui/dist/widget');
const SOURCES = path.join(ROOT_DIR, 'ui/widget');
const LOCK = path.join(ROOT_DIR, 'ui/dist/.widget-build.lock');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** The widget's sources and the plugins' widget folders (their `ui.widget` entries are built with it). */
function newestOfAll(): number {
  const pluginsDir = path.join(ROOT_DIR, 'plugins');
  const widgetDirs = fs.readdirSync(pluginsDir).map((id) => path.join(pluginsDir, id, 'ui/widget')).filter((dir) => fs.existsSync(dir));
  return Math.max(newestSource(SOURCES), ...widgetDirs.map(newestSource));
}

function isFresh(): boolean {
  const loader = path.join(WIDGET_DIST, 'widget.js');
  return fs.existsSync(loader) && fs.statSync(loader).mtimeMs >= newestOfAll();
}

export async function ensureWidgetBuilt(): Promise<{ loader: string; chat: string[] }> {
  const deadline = Date.now() + 120_000;
  while (!isFresh()) {
    fs.mkdirSync(path.dirname(LOCK), { recursive: true });
    let locked = false;
    try {
      fs.mkdirSync(LOCK);
      locked = true;
    } catch {
      // Another test file is building; wait for it (a lock older than two minutes is stale).
      const age = Date.now() - (fs.statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) fs.rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another widget build');
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (!isFresh()) {
        execFileSync(process.execPath, [path.join(ROOT_DIR, 'node_modules/vite/bin/vite.js'), 'build', '--config', path.join(SOURCES, 'vite.config.ts')], { cwd: ROOT_DIR, stdio: 'pipe' });
      }
    } finally {
      if (locked) fs.rmSync(LOCK, { recursive: true, force: true });
    }
  }
  const files = fs.readdirSync(WIDGET_DIST);
  return { loader: path.join(WIDGET_DIST, 'widget.js'), chat: files.filter((f) => f.startsWith('chat-')).map((f) => path.join(WIDGET_DIST, f)) };
}
