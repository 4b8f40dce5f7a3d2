#!/usr/bin/env node
// `npm start`: runs the bundled server, building it first when the sources changed since the last build.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureServerBuild, OUT_DIR } from './server-build.js';

await ensureServerBuild();
await import(pathToFileURL(path.join(OUT_DIR, 'core/main.js')).href);
