/**
 * History-API routing under `/console/`. Routes are plain paths (`/admin/members`); the kernel
 * answers every `/console/*` URL with the console page, so deep links and reloads work.
 */
export const BASE = '/console';

function currentPath(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '/';
  return p === '' ? '/' : p;
}

const state = $state({ path: currentPath(), search: location.search });

window.addEventListener('popstate', () => {
  state.path = currentPath();
  state.search = location.search;
});

export const router = {
  get path(): string {
    return state.path;
  },
  get query(): URLSearchParams {
    return new URLSearchParams(state.search);
  },
  href(to: string): string {
    return `${BASE}${to.startsWith('/') ? to : `/${to}`}`;
  },
  go(to: string, opts: { replace?: boolean } = {}) {
    const url = this.href(to);
    if (url === location.pathname + location.search) return;
    if (opts.replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    const parsed = new URL(url, location.origin);
    state.path = parsed.pathname.slice(BASE.length) || '/';
    state.search = parsed.search;
  },
};

/** Lets plain `<a href="/console/...">` links navigate without reloading the page. */
export function interceptLinks(event: MouseEvent) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const a = (event.target as Element | null)?.closest?.('a');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(`${BASE}/`)) return;
  event.preventDefault();
  router.go(url.pathname.slice(BASE.length) + url.search);
}

/** Matches `/a/:id/b` patterns; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.startsWith(':')) params[p[i]!.slice(1)] = decodeURIComponent(s[i]!);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}
