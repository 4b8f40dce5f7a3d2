/** A small closed-loop HTTP load: `concurrency` workers repeat a GET for `seconds` (or `maxRequests`). */
import { summarize, type Summary } from './stats.ts';

export interface HttpLoadResult { requests: number; rps: number; errors: number; latency: Summary }

export async function httpLoad(url: string, opts: { seconds: number; concurrency: number; maxRequests?: number; token?: string }): Promise<HttpLoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const t0 = performance.now();
  const end = t0 + opts.seconds * 1000;
  const headers = opts.token ? { authorization: `Bearer ${opts.token}` } : undefined;
  await Promise.all(Array.from({ length: opts.concurrency }, async () => {
    while (performance.now() < end && issued < (opts.maxRequests ?? Infinity)) {
      issued++;
      const start = performance.now();
      try {
        const res = await fetch(url, { headers });
        await res.arrayBuffer();
        if (res.ok) latencies.push(performance.now() - start);
        else errors++;
      } catch {
        errors++;
      }
    }
  }));
  const elapsed = (performance.now() - t0) / 1000;
  return { requests: latencies.length, rps: Math.round(latencies.length / elapsed), errors, latency: summarize(latencies) };
}
