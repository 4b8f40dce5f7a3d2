/**
 * `npm run bench [-- --quick] [--scenario <name>]...`: runs the scenarios, prints a table per
 * scenario and writes bench/results/latest.json. PostgreSQL when DATABASE_URL is set, else PGlite.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_DIR } from './lib/child.ts';
import type { RunOptions, ScenarioResult } from './lib/scenario.ts';
import { messagePath } from './scenarios/message-path.ts';
import { widgetSize } from './scenarios/widget-size.ts';
import { coldStart } from './scenarios/cold-start.ts';
import { httpApi } from './scenarios/http-api.ts';
import { knowledgeSearch } from './scenarios/knowledge-search.ts';
import { customEmojiBench } from './custom-emoji.ts';
import { connections } from './scenarios/connections.ts';
import { growth } from './scenarios/growth.ts';

type Scenario = (o: RunOptions, log: (s: string) => void) => Promise<ScenarioResult>;
const SCENARIOS: Record<string, Scenario> = {
  'message-path': messagePath,
  'widget-size': widgetSize,
  'cold-start': coldStart,
  'http-api': httpApi,
  'knowledge-search': knowledgeSearch,
  'custom-emoji': (o) => customEmojiBench(o),
  connections,
  growth,
};

function parseArgs(argv: string[]) {
  const names: string[] = [];
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--scenario') names.push(argv[++i] ?? '');
    else if (a.startsWith('--scenario=')) names.push(a.slice('--scenario='.length));
    else throw new Error(`unknown argument ${a}; use --quick and --scenario <${Object.keys(SCENARIOS).join('|')}>`);
  }
  for (const n of names) if (!SCENARIOS[n]) throw new Error(`unknown scenario "${n}"; known: ${Object.keys(SCENARIOS).join(', ')}`);
  return { quick, names: names.length ? names : Object.keys(SCENARIOS) };
}

function flat(obj: Record<string, unknown> | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj ?? {})) {
    if (Array.isArray(v)) continue;
    out[k] = typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  }
  return out;
}

function printTable(r: ScenarioResult) {
  const f = flat(r.figures);
  const b = flat(r.baseline);
  const keys = [...new Set([...Object.keys(f), ...Object.keys(b)])];
  const w = Math.max(...keys.map((k) => k.length), 6);
  console.log(`\n== ${r.name} (${r.database}, ${r.cores} cores)`);
  console.log(`${'figure'.padEnd(w)}  ${'parley'.padStart(14)}  ${'baseline'.padStart(14)}  ${'ratio'.padStart(6)}`);
  for (const k of keys) {
    const ratio = r.ratio[k];
    console.log(`${k.padEnd(w)}  ${(f[k] ?? '').padStart(14)}  ${(b[k] ?? '').padStart(14)}  ${ratio === undefined || ratio === null ? '' : String(ratio).padStart(6)}`);
  }
  for (const [k, v] of Object.entries(r.ratio)) if (!keys.includes(k)) console.log(`ratio ${k}: ${v}`);
  for (const n of r.notes ?? []) console.log(`note: ${n}`);
}

async function main() {
  const { quick, names } = parseArgs(process.argv.slice(2));
  const options: RunOptions = { quick, databaseUrl: process.env.DATABASE_URL || undefined };
  const results: ScenarioResult[] = [];
  const started = Date.now();
  for (const name of names) {
    const result = await SCENARIOS[name]!(options, (s) => console.log(s));
    results.push(result);
    printTable(result);
  }
  const file = path.join(BENCH_DIR, 'results', 'latest.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Scenarios run alone replace their own entry and keep the others'.
  let kept: (ScenarioResult & { at?: string; quick?: boolean })[] = [];
  try {
    kept = JSON.parse(fs.readFileSync(file, 'utf8')).scenarios ?? [];
  } catch { /* no earlier results */ }
  const at = new Date().toISOString();
  const fresh = results.map((r) => ({ ...r, at, quick }));
  const scenarios = [...kept.filter((k) => !names.includes(k.name)), ...fresh];
  fs.writeFileSync(file, `${JSON.stringify({ at, scenarios }, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), file)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(`bench: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
