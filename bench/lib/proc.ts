/** What Linux's /proc says about another process: CPU time, open files and their limit. */
import fs from 'node:fs';

/** User + system CPU seconds the process has used (clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export const openFiles = (pid: number) => fs.readdirSync(`/proc/${pid}/fd`).length;

/** The soft limit on open files (`ulimit -n`) the process runs with. */
export function openFilesLimit(pid: number): number {
  const line = fs.readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  return Number(line?.split(/\s{2,}/)[1] ?? Infinity);
}

/** CPU use of `pid` while `fn` runs, in percent of one core. */
export async function withCpu<T>(pid: number, fn: () => Promise<T>): Promise<{ result: T; cpuPercent: number }> {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  const result = await fn();
  return { result, cpuPercent: Math.round(((cpuSeconds(pid) - c0) / ((performance.now() - t0) / 1000)) * 100) };
}
