/** Child processes that print one `{"ready":...}` line, and JSON-line command channels to them. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(BENCH_DIR, '..');

export interface Child {
  child: ChildProcess;
  ready: Record<string, any>;
  stderr(): string;
  /** Sends one command line and resolves with the next JSON line answered. */
  call(cmd: Record<string, unknown>, timeoutMs?: number): Promise<any>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  exited: Promise<number | null>;
}

export async function startChild(script: string, env: Record<string, string | undefined>, opts: { args?: string[]; nodeArgs?: string[]; readyTimeoutMs?: number } = {}): Promise<Child> {
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, ...(opts.nodeArgs ?? []), '--import', 'tsx', script, ...(opts.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  let buf = '';
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  child.stderr!.on('data', (d) => { err = (err + d).slice(-20_000); });
  child.stdout!.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.startsWith('{')) continue;
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const next = (timeoutMs: number) => new Promise<string>((resolve, reject) => {
    const queued = lines.shift();
    if (queued !== undefined) return resolve(queued);
    const timer = setTimeout(() => reject(new Error(`${path.basename(script)}: no answer within ${timeoutMs} ms; stderr: ${err.slice(-2000)}`)), timeoutMs);
    waiters.push((line) => { clearTimeout(timer); resolve(line); });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`${path.basename(script)} exited with ${code}; stderr: ${err.slice(-2000)}`)); });
  });
  const ready = JSON.parse(await next(opts.readyTimeoutMs ?? 180_000));
  return {
    child,
    ready,
    stderr: () => err,
    exited,
    async call(cmd, timeoutMs = 300_000) {
      child.stdin!.write(`${JSON.stringify(cmd)}\n`);
      const answer = JSON.parse(await next(timeoutMs));
      if (answer.error) throw new Error(`${path.basename(script)}: ${answer.error}`);
      return answer;
    },
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Reads JSON-line commands from stdin and answers each with one JSON line on stdout. */
export function serveCommands(handle: (cmd: any) => Promise<unknown>): void {
  let buf = '';
  let chain = Promise.resolve();
  process.stdin.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      chain = chain.then(async () => {
        let answer: unknown;
        try {
          answer = await handle(JSON.parse(line));
        } catch (err) {
          answer = { error: (err as Error).stack ?? String(err) };
        }
        process.stdout.write(`${JSON.stringify(answer ?? {})}\n`);
      });
    }
  });
  process.stdin.on('end', () => process.exit(0));
}
