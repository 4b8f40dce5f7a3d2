/**
 * Serves the widget stand-in (harness.ts bundled with esbuild, the plugin's widget module inside)
 * from its own origin, so it talks to Parley cross-origin as the real widget does.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function startHarness(t: Test): Promise<{ url(server: string, tenant: string, locale?: string): string }> {
  const bundle = await build({ entryPoints: [path.join(here, 'harness.ts')], bundle: true, write: false, format: 'esm', target: 'es2022' });
  const script = bundle.outputFiles[0]!.contents;
  const page = fs.readFileSync(path.join(here, 'page.html'));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://harness');
    if (url.pathname === '/harness.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    if (url.pathname === '/') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const { port } = server.address() as AddressInfo;
  return {
    url: (parley, tenant, locale = 'en') => `http://127.0.0.1:${port}/?${new URLSearchParams({ server: parley, tenant, locale })}`,
  };
}
