/**
 * The site that embeds the widget in browser tests: a second HTTP server, so the widget runs
 * cross-origin to Parley as it does in production. `/?attrs=...&settings=...` fills the page.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';

const PAGE = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/host.html'), 'utf8');

export interface HostPage {
  /** The page's URL for a tenant, with extra script attributes and `window.ParleySettings`. */
  url(opts?: { tenant?: string; attrs?: Record<string, string>; settings?: Record<string, unknown> }): string;
}

const escapeAttr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export async function startHostPage(t: Test, parleyUrl: string): Promise<HostPage> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://host');
    if (url.pathname !== '/') {
      res.writeHead(404).end();
      return;
    }
    const attrs = JSON.parse(url.searchParams.get('attrs') ?? '{}') as Record<string, string>;
    const settings = url.searchParams.get('settings') ?? '{}';
    const html = PAGE.replace('__SERVER__', parleyUrl)
      .replace('__TENANT__', escapeAttr(url.searchParams.get('tenant') ?? 'acme'))
      .replace('__ATTRS__', Object.entries(attrs).map(([k, v]) => `data-${k}="${escapeAttr(v)}"`).join(' '))
      .replace('__SETTINGS__', JSON.stringify(JSON.parse(settings)).replace(/</g, '\\u003c'));
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url(opts = {}) {
      const q = new URLSearchParams({ tenant: opts.tenant ?? 'acme', attrs: JSON.stringify(opts.attrs ?? {}), settings: JSON.stringify(opts.settings ?? {}) });
      return `${base}?${q}`;
    },
  };
}
