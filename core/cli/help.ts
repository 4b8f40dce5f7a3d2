/** The help text, built from the commands' own usage lines so it cannot drift from them. */
import type { Command } from './command.ts';

const ENVIRONMENT = [
  'Configuration is the server\'s own (environment variables):',
  '  PARLEY_DATA_DIR   folder of the embedded PGlite database (default ./data)',
  '  DATABASE_URL      postgres://... to use a PostgreSQL server instead',
  '  PARLEY_PLUGINS    extra plugin folders or packages, comma-separated',
  '',
  'PGlite serves one process at a time: do not run parley while the Parley server runs on the',
  'same PGlite data folder (parley refuses when it finds the folder in use). With DATABASE_URL',
  'both may run together.',
];

/** Help for one command. */
export function commandHelp(c: Command): string {
  return [`Usage: parley ${c.usage}`, `  ${c.summary}`, '', 'Run "parley help" for the configuration it uses.'].join('\n');
}

export function helpText(commands: Command[], group?: string): string {
  const shown = group ? commands.filter((c) => c.group === group) : commands;
  return [
    'Usage: parley <command> [options]',
    '',
    'Commands:',
    ...shown.flatMap((c) => [`  parley ${c.usage}`, `      ${c.summary}`]),
    '  parley help [group]',
    '      This text (also --help after any command)',
    '',
    'Tenants are named by slug or id. --json prints machine-readable output instead of text.',
    'Errors print one line "parley: <reason>" on stderr; exit code 2 for usage errors, 1 for failures.',
    '',
    ...ENVIRONMENT,
  ].join('\n');
}
