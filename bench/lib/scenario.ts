/** What every scenario returns: one entry of bench/results/latest.json. */
import os from 'node:os';

export interface ScenarioResult {
  name: string;
  /** Parley's figures. */
  figures: Record<string, unknown>;
  /** The same-run baseline's figures (null when the scenario has none). */
  baseline: Record<string, unknown> | null;
  /** Parley / baseline for the figures that have one. */
  ratio: Record<string, number | null>;
  cores: number;
  database: 'postgres' | 'pglite' | 'none';
  notes?: string[];
}

export interface RunOptions {
  quick: boolean;
  databaseUrl?: string;
}

export const cores = () => os.cpus().length;
export const databaseKind = (o: RunOptions) => (o.databaseUrl ? 'postgres' : 'pglite') as 'postgres' | 'pglite';
export const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? null : Math.round((a / b) * 100) / 100;
export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
