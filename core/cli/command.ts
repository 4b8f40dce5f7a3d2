/** The shape of one CLI command, so `main.ts` can parse, open the kernel, run and print uniformly. */
import type { OptionSpec, ParsedArgs } from './args.ts';
import type { CliKernel } from './kernel.ts';
import type { CommandOutput } from './output.ts';

export interface Command {
  /** Command group and subcommand, e.g. `tenant` and `create`. */
  group: string;
  name: string;
  /** Arguments after `parley`, e.g. `tenant create <slug> --name N`. */
  usage: string;
  summary: string;
  positionals: string[];
  options: OptionSpec;
  /** Migration commands work on any schema; the others need the core schema up to date. */
  anySchema?: boolean;
  run(parsed: ParsedArgs, kernel: CliKernel): Promise<CommandOutput>;
}
