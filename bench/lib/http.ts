/**
 * JSON requests from a chosen loopback source address: Parley limits visitor sign-ups per IP
 * (60 a minute), so the load generator spreads its visitors over 127.0.0.x addresses as many real
 * visitors would arrive from many addresses.
 */
import http from 'node:http';

export async function requestJson(base: string, method: string, route: string, body?: unknown, opts: { token?: string; localAddress?: string } = {}): Promise<{ status: number; json: any }> {
  const url = new URL(route, base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method,
      localAddress: opts.localAddress,
      headers: {
        ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      },
    }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => {
        let json: any;
        try { json = JSON.parse(data); } catch { json = data; }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export async function expectJson(base: string, method: string, route: string, body?: unknown, opts: { token?: string; localAddress?: string } = {}): Promise<any> {
  const res = await requestJson(base, method, route, body, opts);
  if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

/** The n-th loopback source address, 60 sign-ups each per minute. */
export const loopback = (n: number) => `127.0.${Math.floor(n / 50) % 250 + 1}.${(n % 50) + 2}`;
