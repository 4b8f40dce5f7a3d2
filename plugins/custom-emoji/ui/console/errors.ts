/** A person-readable text for a failed plugin request: the plugin's own codes in the console's language, others as the console words them. */
interface PluginApiLike {
  pluginId: string;
  t(key: string): string;
  errorText(err: unknown): string;
}

export function apiErrorText(api: PluginApiLike, err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    const key = `errors.${code}`;
    const text = api.t(key);
    if (text !== key && text !== `plugins.${api.pluginId}.${key}`) return text;
  }
  if (err && typeof err === 'object' && !(err instanceof Error) && 'message' in err) return String((err as { message: unknown }).message);
  return api.errorText(err);
}
