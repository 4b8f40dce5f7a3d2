/**
 * `parley`: the operator's command-line tool. Finds the command, parses its arguments, opens the
 * kernel on the server's configuration, runs it and prints the result; every failure is one line
 * `parley: <reason>` on stderr with exit code 2 (usage) or 1 (anything else).
 */
import { ConfigError, loadConfig } from '../../config/index.ts';
import { AppError } from '../http/errors.ts';
import { ManifestError } from '../plugin-host/manifest.ts';
import { parseCommandArgs, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { commandHelp, helpText } from './help.ts';
import { CliError, openKernel, requireCurrentSchema } from './kernel.ts';
import { migrateCommands } from './migrate-command.ts';
import { tenantCommands } from './tenant-command.ts';
import { memberCommands } from './member-command.ts';
import { pluginCommands } from './plugin-command.ts';

export const COMMANDS: Command[] = [...migrateCommands, ...tenantCommands, ...memberCommands, ...pluginCommands];

const GROUPS = [...new Set(COMMANDS.map((c) => c.group))];

function findCommand(argv: string[]): { command: Command; rest: string[] } | { help: string } {
  const [group, name, ...rest] = argv;
  if (group === undefined) throw new UsageError('missing command (try "parley help")');
  if (group === 'help' || group === '--help' || group === '-h') {
    if (name !== undefined && !GROUPS.includes(name)) throw new UsageError(`no command group "${name}" (groups: ${GROUPS.join(', ')})`);
    return { help: helpText(COMMANDS, name) };
  }
  if (!GROUPS.includes(group)) throw new UsageError(`unknown command "${group}" (try "parley help")`);
  const inGroup = COMMANDS.filter((c) => c.group === group);
  if (name === undefined || name === '--help' || name === '-h') {
    if (name === undefined) throw new UsageError(`missing subcommand: ${inGroup.map((c) => `${group} ${c.name}`).join(', ')}`);
    return { help: helpText(COMMANDS, group) };
  }
  const command = inGroup.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${group} ${name}" (try "parley help ${group}")`);
  return { command, rest };
}

/** One line for stderr, and the exit code. */
function describe(err: unknown): { line: string; code: number } {
  if (err instanceof UsageError) return { line: err.message, code: 2 };
  if (err instanceof AppError) return { line: `${err.message} (${err.code})`, code: 1 };
  if (err instanceof CliError || err instanceof ConfigError || err instanceof ManifestError) return { line: err.message, code: 1 };
  return { line: err instanceof Error ? err.message : String(err), code: 1 };
}

async function execute(argv: string[]): Promise<void> {
  const found = findCommand(argv);
  if ('help' in found) {
    process.stdout.write(`${found.help}\n`);
    return;
  }
  const { command, rest } = found;
  const parsed = parseCommandArgs(rest, command.positionals, command.options);
  if (parsed.options.help) {
    process.stdout.write(`${commandHelp(command)}\n`);
    return;
  }
  const kernel = await openKernel(loadConfig(process.env));
  try {
    if (!command.anySchema) await requireCurrentSchema(kernel);
    const output = await command.run(parsed, kernel);
    process.stdout.write(parsed.options.json ? `${JSON.stringify(output.json, null, 2)}\n` : output.lines.map((l) => `${l}\n`).join(''));
  } finally {
    await kernel.close();
  }
}

/** Runs the CLI and returns its exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await execute(argv);
    return 0;
  } catch (err) {
    const { line, code } = describe(err);
    process.stderr.write(`parley: ${line.replace(/\s*\n\s*/g, ' ')}\n`);
    return code;
  }
}
