/**
 * Parley runs two ways: from source under tsx (tests, development), or from a bundle under
 * `dist/server` that `npm start` builds (bin/server-build.js), so that starting does not pay for
 * compiling TypeScript module by module. Plugin entries and migrations are found on disk by their
 * source names; this loads the right file for either way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

function findUp(from: string, marker: string): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, marker))) return dir;
    if (path.dirname(dir) === dir) return null;
  }
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The bundle's own modules end in .js; under tsx this file is the .ts source. */
const RUNS_BUILT = import.meta.url.endsWith('.js');
/** The project folder (holds package.json, plugins/, migrations/, ui/dist/). */
export const ROOT_DIR = findUp(HERE, 'package.json') ?? HERE;
/** The folder of the build this code came from (each build has its own, with a build-info.json). */
const BUILD_DIR = RUNS_BUILT ? findUp(HERE, 'build-info.json') : null;

let tsx: Promise<unknown> | null = null;

/**
 * Imports a module named by its source path. From the build, a project file maps to its bundled
 * counterpart; a TypeScript file the build does not hold (a third-party plugin shipped as source)
 * gets tsx registered first.
 */
export async function importModule(file: string): Promise<unknown> {
  let target = file;
  if (BUILD_DIR && file.endsWith('.ts')) {
    const relative = path.relative(ROOT_DIR, file);
    const built = path.join(BUILD_DIR, relative.replace(/\.ts$/, '.js'));
    if (!relative.startsWith('..') && fs.existsSync(built)) target = built;
    else await (tsx ??= import('tsx/esm/api').then((m) => m.register()));
  }
  return import(pathToFileURL(target).href);
}
