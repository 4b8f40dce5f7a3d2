#!/usr/bin/env node
// The operator's CLI, run from the server bundle (built first when the sources changed).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureServerBuild } from './server-build.js';

const build = await ensureServerBuild();
const { main } = await import(pathToFileURL(path.join(build, 'core/cli/main.js')).href);
process.exit(await main(process.argv.slice(2)));
