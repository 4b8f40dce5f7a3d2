/**
 * Bundles the server into dist/server with esbuild: core/main.ts, every plugin's server entry and
 * every migration, split into shared chunks so the kernel is one instance for all of them.
 * Dependencies stay in node_modules. Run directly (`npm run build:server`) or through
 * `ensureServerBuild()`, which rebuilds only when a source file changed since the last build.
 * Plain JavaScript on purpose: it runs before anything can compile TypeScript.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUT_DIR = path.join(ROOT, 'dist', 'server');
const INFO_FILE = path.join(OUT_DIR, 'build-info.json');

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

/** What the server imports by path at run time: its entry, plugin entries and migrations. */
function entryPoints() {
  const entries = [path.join(ROOT, 'core/main.ts'), ...typescriptIn(path.join(ROOT, 'migrations'))];
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

/** True when dist/server holds a build of exactly the current entries and no input changed since. */
export function serverBuildIsCurrent() {
  let info;
  try {
    info = JSON.parse(fs.readFileSync(INFO_FILE, 'utf8'));
  } catch {
    return false;
  }
  if (JSON.stringify(info.entries) !== JSON.stringify(entryPoints())) return false;
  return info.inputs.every((file) => {
    try {
      return fs.statSync(path.join(ROOT, file)).mtimeMs <= info.builtAt;
    } catch {
      return false;
    }
  });
}

export async function buildServer() {
  const { build } = await import('esbuild');
  const entries = entryPoints();
  const builtAt = Date.now();
  // Built beside the old one and swapped in, so a server starting meanwhile never sees half a build.
  const staging = `${OUT_DIR}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: entries,
    outdir: staging,
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
  fs.writeFileSync(path.join(staging, 'build-info.json'), JSON.stringify({ builtAt, entries, inputs }));
  const old = `${OUT_DIR}.${process.pid}.old`;
  if (fs.existsSync(OUT_DIR)) fs.renameSync(OUT_DIR, old);
  fs.renameSync(staging, OUT_DIR);
  fs.rmSync(old, { recursive: true, force: true });
}

export async function ensureServerBuild() {
  if (!serverBuildIsCurrent()) await buildServer();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildServer();
}
