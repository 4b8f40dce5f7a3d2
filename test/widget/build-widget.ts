/**
 * Makes sure `ui/dist/widget` holds a build of the current widget sources before a test uses it:
 * builds when it is missing or older than any source file. A lock folder keeps parallel test
 * files from building at the same time.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../../core/app.ts';
import { withFolderLock } from '../../core/folder-lock.ts';

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
  if (!isFresh()) {
    // Parallel test files share one build; a lock older than two minutes was left by one that died.
    await withFolderLock(LOCK, { waitMs: 120_000, staleMs: 120_000 }, () => {
      if (isFresh()) return;
      execFileSync(process.execPath, [path.join(ROOT_DIR, 'node_modules/vite/bin/vite.js'), 'build', '--config', path.join(SOURCES, 'vite.config.ts')], { cwd: ROOT_DIR, stdio: 'pipe' });
    });
  }
  const files = fs.readdirSync(WIDGET_DIST);
  return { loader: path.join(WIDGET_DIST, 'widget.js'), chat: files.filter((f) => f.startsWith('chat-')).map((f) => path.join(WIDGET_DIST, f)) };
}
