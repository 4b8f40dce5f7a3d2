/** What Linux's /proc says about another process: CPU time, open files and their limit. */
import fs from 'node:fs';

/** User + system CPU seconds the process has used (clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds so far of each PostgreSQL backend connected to `database`, by pid (a backend's
 * process title names its database; the bench's server is local). Background processes (WAL
 * writer, checkpointer) are not included.
 */
export function backendCpu(database: string): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (title.startsWith('postgres: ') && title.split(' ').includes(database)) byPid.set(Number(entry), cpuSeconds(Number(entry)));
    } catch {
      // The process ended while the list was read.
    }
  }
  return byPid;
}

/**
 * CPU the backends used since `before` (a `backendCpu` reading). Pools close idle connections,
 * and a backend that exited in between takes its share with it: a lower bound.
 */
export function backendCpuSince(database: string, before: Map<number, number>): number {
  let used = 0;
  for (const [pid, seconds] of backendCpu(database)) used += seconds - (before.get(pid) ?? 0);
  return used;
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
