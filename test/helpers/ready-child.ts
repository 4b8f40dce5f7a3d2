/**
 * Starts a server process for a test and waits until its output says it is ready. The process is
 * killed at teardown if the test left it running, and an exit before the ready line fails the
 * start with what the process wrote to stderr.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { Test } from 'tap';

export interface ReadyChild<T> {
  child: ChildProcess;
  /** What `isReady` found in the output. */
  ready: T;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function spawnReady<T>(
  t: Test,
  command: string,
  args: string[],
  options: Omit<SpawnOptions, 'stdio'> & { timeoutMs: number },
  isReady: (stdout: string) => T | undefined,
): Promise<ReadyChild<T>> {
  const { timeoutMs, ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  child.stdout!.on('data', (d) => { out += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within ${timeoutMs / 1000} s; stderr: ${err}`)), timeoutMs);
    child.stdout!.on('data', () => {
      const found = isReady(out);
      if (found !== undefined) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    void exited.then(({ code }) => { clearTimeout(timer); reject(new Error(`exited with ${code} before ready; stderr: ${err}`)); });
  });
  return { child, ready, stdout: () => out, stderr: () => err, exited };
}
