/** Latency summaries. */
export interface Summary { count: number; p50: number; p95: number; p99: number; max: number }

export function summarize(values: number[]): Summary {
  if (values.length === 0) return { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN };
  const s = Float64Array.from(values).sort();
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  const r = (n: number) => Math.round(n * 100) / 100;
  return { count: s.length, p50: r(at(0.5)), p95: r(at(0.95)), p99: r(at(0.99)), max: r(s[s.length - 1]!) };
}

/** The middle item by `key` (the upper one of an even count). */
export function medianBy<T>(items: T[], key: (t: T) => number): T {
  return [...items].sort((a, b) => key(a) - key(b))[Math.floor(items.length / 2)]!;
}
