/** Only the plugin's own image route is ever loaded: bodies come from the server, this guards against odd rows. */
const IMAGE_PATH = '/api/custom-emoji/public/';

export function imageUrl(server: string, url: unknown): string | null {
  return typeof url === 'string' && url.startsWith(IMAGE_PATH) ? server + url : null;
}
