#!/usr/bin/env node
// Runs the TypeScript CLI without a build step: tsx compiles core/cli/*.ts on the fly.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../core/cli/main.ts');
process.exit(await main(process.argv.slice(2)));
