/**
 * Argument parsing for the CLI on top of node:util parseArgs: named positionals, typed option
 * readers, and one UsageError (exit code 2) for anything the user typed wrong.
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface ParsedArgs {
  /** Positional arguments by the names the command declared. */
  args: Record<string, string>;
  options: Record<string, string | boolean | undefined>;
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS: OptionSpec = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

function explain(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const option = /'(-[^' ]+)/.exec(message)?.[1] ?? 'option';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option}`;
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return message.includes('does not take') ? `option ${option} takes no value` : `option ${option} needs a value`;
  }
  return message.split('\n')[0]!;
}

export function parseCommandArgs(argv: string[], positionals: string[], options: OptionSpec): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(explain(err));
  }
  const values = parsed.values as ParsedArgs['options'];
  if (values.help) return { args: {}, options: values };
  const given = parsed.positionals;
  if (given.length < positionals.length) throw new UsageError(`missing argument <${positionals[given.length]}>`);
  if (given.length > positionals.length) throw new UsageError(`unexpected argument "${given[positionals.length]}"`);
  return { args: Object.fromEntries(positionals.map((name, i) => [name, given[i]!])), options: values };
}

export function optionalString(p: ParsedArgs, name: string): string | undefined {
  const v = p.options[name];
  return typeof v === 'string' ? v : undefined;
}

export function requiredString(p: ParsedArgs, name: string): string {
  const v = optionalString(p, name);
  if (v === undefined) throw new UsageError(`missing option --${name}`);
  return v;
}

/** A display name: 1 to 100 characters, not only blanks (the same bounds as the HTTP API). */
export function displayName(value: string, what: string): string {
  if (value.trim() === '' || value.length > 100) throw new UsageError(`${what} must be 1 to 100 characters`);
  return value;
}

export function positiveInt(value: string, what: string, max = 100_000): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`${what} must be a whole number from 1 to ${max}, got "${value}"`);
  }
  return Number(value);
}

export function optionalPositiveInt(p: ParsedArgs, name: string, max?: number): number | undefined {
  const v = optionalString(p, name);
  return v === undefined ? undefined : positiveInt(v, `--${name}`, max);
}
