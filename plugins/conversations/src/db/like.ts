/** Escapes `%`, `_` and `\` so user input matches literally inside a LIKE pattern. */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A case-insensitive "contains" pattern for `lower(column) like ? escape '\'`. */
export const containsPattern = (s: string) => `%${likeEscape(s.trim().toLowerCase())}%`;
