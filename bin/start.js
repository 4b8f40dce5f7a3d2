#!/usr/bin/env node
// `npm start`: runs the bundled server, building it first when the sources changed since the last build.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureServerBuild } from './server-build.js';

const build = await ensureServerBuild();
await import(pathToFileURL(path.join(build, 'core/main.js')).href);
