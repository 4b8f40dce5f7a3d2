/**
 * Browser tests: builds the console when its build is missing or older than its sources (once per
 * test run, under a lock shared by parallel test processes), starts Chromium, and opens pages of a
 * test app listening on a real port.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Test } from 'tap';
import { withFolderLockSync } from '../../core/folder-lock.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Test plugins whose console UI the test build includes (served only when a test installs them). */
export const UI_FIXTURE_PLUGINS = ['ui-sample', 'ui-addon'].map((id) => path.join(ROOT, 'test/ui/fixtures', id));
export const SCREENSHOT_DIR = process.env.PARLEY_SCREENSHOTS ?? path.join(os.tmpdir(), 'parley-screenshots');

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const SOURCES = ['ui/console', 'ui/shared', 'ui/vite.config.ts'];
/** Folders holding plugins whose manifest and `ui/` folder feed the console build. */
const PLUGIN_ROOTS = ['plugins', 'test/ui/fixtures'];
const INDEX = path.join(ROOT, 'ui/dist/console/index.html');
const FIXTURE_OUTPUT = path.join(ROOT, 'ui/dist/plugins/ui-sample/console.js');
const LOCK = path.join(os.tmpdir(), 'parley-console-build.lock');

function newestMtime(target: string): number {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(target, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

/** Newest manifest or UI file of the plugins under `root` (their server code does not affect the build). */
function newestPluginUi(root: string): number {
  if (!fs.existsSync(root)) return 0;
  let newest = 0;
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(root, entry.name);
    newest = Math.max(newest, newestMtime(path.join(dir, 'plugin.json')), newestMtime(path.join(dir, 'ui')));
  }
  return newest;
}

function buildIsCurrent(): boolean {
  const built = fs.statSync(INDEX, { throwIfNoEntry: false });
  if (!built || !fs.existsSync(FIXTURE_OUTPUT)) return false;
  return (
    SOURCES.every((s) => newestMtime(path.join(ROOT, s)) <= built.mtimeMs) &&
    PLUGIN_ROOTS.every((r) => newestPluginUi(path.join(ROOT, r)) <= built.mtimeMs)
  );
}

let ensured = false;

/** Builds the console (with the test plugins' UI) unless a current build exists. */
export function ensureConsoleBuilt(): void {
  if (ensured) return;
  // A console build takes well under a minute; five is a holder that died.
  withFolderLockSync(LOCK, { waitMs: 5 * 60_000, staleMs: 5 * 60_000 }, () => {
    if (buildIsCurrent()) return;
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'ui/vite.config.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, PARLEY_PLUGINS: UI_FIXTURE_PLUGINS.join(',') },
    });
  });
  ensured = true;
}

export async function launchBrowser(t: Test): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  t.teardown(() => browser.close());
  return browser;
}

export interface OpenPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen on the page (a test can assert there were none). */
  errors: string[];
}

/** A fresh browser context (its own cookies) with one page; English unless `locale` says otherwise. */
export async function newPage(browser: Browser, opts: { locale?: string; width?: number; height?: number } = {}): Promise<OpenPage> {
  const context = await browser.newContext({
    locale: opts.locale ?? 'en-US',
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // Refused requests are logged by the browser itself; the tests assert those answers directly.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(`console: ${msg.text()}`);
  });
  return { context, page, errors };
}

/** Saves a full-page screenshot as `<SCREENSHOT_DIR>/<name>.png` for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Signs in through the login form. */
export async function signIn(page: Page, baseUrl: string, who: { tenant: string; email: string; password: string; remember?: boolean }) {
  await page.goto(`${baseUrl}/console/`);
  await page.getByTestId('login-tenant').fill(who.tenant);
  await page.getByTestId('login-email').fill(who.email);
  await page.getByTestId('login-password').fill(who.password);
  if (who.remember) await page.getByTestId('login-remember').check();
  await page.getByTestId('login-submit').click();
  await page.getByTestId('sidebar').waitFor();
}
