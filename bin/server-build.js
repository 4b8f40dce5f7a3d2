/**
 * Bundles the server with esbuild: core/main.ts, the CLI, every plugin's server entry and every
 * migration, split into shared chunks so the kernel is one instance for all of them.
 * A build also makes the migrated PGlite template (dist/pglite) that a first start copies.
 * Each build goes to its own folder under dist/server, and dist/server/current.json names the
 * current one: a process that is starting keeps the build it picked while another process
 * rebuilds. Run directly (`npm run build:server`) or through `ensureServerBuild()`, which rebuilds
 * only when a source file changed since the last build.
 * Plain JavaScript on purpose: it runs before anything can compile TypeScript.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILDS_DIR = path.join(ROOT, 'dist', 'server');
const CURRENT_FILE = path.join(BUILDS_DIR, 'current.json');
/** Older builds kept beside the current one (and any made in the last minute), for processes still starting from them. */
const KEPT_BUILDS = 2;
const KEPT_MS = 60_000;

/**
 * Dependencies are loaded from node_modules, except these pure-ESM ones that are inlined: node
 * loads an ESM package file by file (typebox alone is ~700 files, a fifth of start-up), while
 * the bundle holds only the parts Parley uses.
 */
const INLINED = new Set(['typebox']);
const packageName = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const externalDependencies = {
  name: 'external-dependencies',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (INLINED.has(packageName(args.path)) ? undefined : { path: args.path, external: true }));
  },
};

const typescriptIn = (dir) =>
  fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort().map((f) => path.join(dir, f)) : [];

/** What is imported by path at run time: the server and CLI entries, plugin entries and migrations. */
function entryPoints() {
  const entries = [
    path.join(ROOT, 'core/main.ts'),
    path.join(ROOT, 'core/cli/main.ts'),
    path.join(ROOT, 'core/db/build-template.ts'),
    ...typescriptIn(path.join(ROOT, 'migrations')),
  ];
  const pluginsDir = path.join(ROOT, 'plugins');
  for (const name of fs.readdirSync(pluginsDir).sort()) {
    const manifestFile = path.join(pluginsDir, name, 'plugin.json');
    if (!fs.existsSync(manifestFile)) continue;
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    const server = path.join(pluginsDir, name, manifest.server ?? 'server.ts');
    if (server.endsWith('.ts') && fs.existsSync(server)) entries.push(server);
    entries.push(...typescriptIn(path.join(pluginsDir, name, manifest.migrations ?? 'migrations')));
  }
  return entries.map((f) => path.relative(ROOT, f));
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** The current build's folder when it holds exactly the current entries and no input changed since; else null. */
export function currentServerBuild() {
  const current = readJson(CURRENT_FILE);
  if (!current) return null;
  const dir = path.join(BUILDS_DIR, current.dir);
  const info = readJson(path.join(dir, 'build-info.json'));
  if (!info || JSON.stringify(info.entries) !== JSON.stringify(entryPoints())) return null;
  const unchanged = info.inputs.every((file) => {
    try {
      return fs.statSync(path.join(ROOT, file)).mtimeMs <= info.builtAt;
    } catch {
      return false;
    }
  });
  return unchanged ? dir : null;
}

/**
 * Builds into a new folder, makes it current, and removes all but the newest few; then makes the
 * migrated PGlite template a first start copies, when the migrations changed. Returns the folder.
 */
export async function buildServer() {
  const { build } = await import('esbuild');
  const entries = entryPoints();
  const builtAt = Date.now();
  const name = `build-${builtAt}-${process.pid}`;
  const dir = path.join(BUILDS_DIR, name);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: entries,
    outdir: dir,
    outbase: '.',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [externalDependencies],
    keepNames: true,
    sourcemap: 'linked',
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/'));
  fs.writeFileSync(path.join(dir, 'build-info.json'), JSON.stringify({ builtAt, entries, inputs }));
  const staged = `${CURRENT_FILE}.${process.pid}`;
  fs.writeFileSync(staged, JSON.stringify({ dir: name }));
  fs.renameSync(staged, CURRENT_FILE);
  const builds = fs.readdirSync(BUILDS_DIR).filter((f) => f.startsWith('build-') && f !== name).sort();
  for (const old of builds.slice(0, Math.max(0, builds.length - KEPT_BUILDS))) {
    if (Date.now() - Number(old.split('-')[1]) > KEPT_MS) fs.rmSync(path.join(BUILDS_DIR, old), { recursive: true, force: true });
  }
  execFileSync(process.execPath, [path.join(dir, 'core/db/build-template.js')], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, LOG_LEVEL: 'warn' } });
  return dir;
}

/** The folder of a current build, building one first when needed. */
export async function ensureServerBuild() {
  return currentServerBuild() ?? (await buildServer());
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildServer();
}
