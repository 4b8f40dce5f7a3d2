/**
 * What a command prints: human lines for people, a JSON value for `--json`. Text that came from
 * the database is escaped so a hostile name cannot send control sequences to the terminal.
 */
export interface CommandOutput {
  lines: string[];
  json: unknown;
}

// C0 and C1 control characters, DEL, and the Unicode line/paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Shows control characters as `\u001b`-style escapes. */
export function safe(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A left-aligned table with a header row; cells are escaped. */
export function table(header: string[], rows: Array<Array<string | number | boolean>>): string[] {
  const cells = [header, ...rows.map((r) => r.map((c) => safe(String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

export function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}
