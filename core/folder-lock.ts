/**
 * A lock between processes on one machine: a folder that only one of them can create. Used where
 * parallel processes would otherwise do the same one-off work at once (a PGlite template, a UI
 * build in the tests). A holder that died leaves its folder behind, so a lock older than `staleMs`
 * is taken over.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface FolderLockOptions {
  /** Give up waiting after this long. */
  waitMs: number;
  /** A lock folder older than this was left by a process that died. */
  staleMs: number;
}

function tryLock(lock: string, staleMs: number): boolean {
  try {
    fs.mkdirSync(lock);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > staleMs) fs.rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

function prepare(lock: string, { waitMs }: FolderLockOptions): () => void {
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + waitMs;
  return () => {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
  };
}

const POLL_MS = 250;

export async function withFolderLock<T>(lock: string, options: FolderLockOptions, fn: () => Promise<T> | T): Promise<T> {
  const checkDeadline = prepare(lock, options);
  while (!tryLock(lock, options.staleMs)) {
    checkDeadline();
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** The same, blocking the thread while it waits: for set-up code that has to stay synchronous. */
export function withFolderLockSync<T>(lock: string, options: FolderLockOptions, fn: () => T): T {
  const checkDeadline = prepare(lock, options);
  while (!tryLock(lock, options.staleMs)) {
    checkDeadline();
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, POLL_MS);
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
