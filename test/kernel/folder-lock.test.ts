import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { withFolderLock, withFolderLockSync } from '../../core/folder-lock.ts';

function tempLock(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-lock-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'nested', 'work.lock');
}

t.test('holders run one at a time and the lock is gone afterwards', async (t) => {
  const lock = tempLock(t);
  const order: string[] = [];
  const holder = (name: string) =>
    withFolderLock(lock, { waitMs: 5_000, staleMs: 60_000 }, async () => {
      order.push(`${name} in`);
      await new Promise((r) => setTimeout(r, 50));
      order.push(`${name} out`);
      return name;
    });
  t.same(await Promise.all([holder('a'), holder('b')]), ['a', 'b']);
  t.same(order, ['a in', 'a out', 'b in', 'b out'], 'the second waited for the first');
  t.notOk(fs.existsSync(lock), 'released');
});

t.test('a throwing holder releases the lock', async (t) => {
  const lock = tempLock(t);
  await t.rejects(withFolderLock(lock, { waitMs: 1_000, staleMs: 60_000 }, () => Promise.reject(new Error('boom'))), /boom/);
  t.notOk(fs.existsSync(lock));
  t.throws(() => withFolderLockSync(lock, { waitMs: 1_000, staleMs: 60_000 }, () => { throw new Error('bang'); }), /bang/);
  t.notOk(fs.existsSync(lock));
});

t.test('a live lock times out the waiter; a stale one is taken over', async (t) => {
  const lock = tempLock(t);
  fs.mkdirSync(lock, { recursive: true });
  await t.rejects(withFolderLock(lock, { waitMs: 300, staleMs: 60_000 }, () => 'never'), /timed out waiting for .*work\.lock/);
  t.throws(() => withFolderLockSync(lock, { waitMs: 300, staleMs: 60_000 }, () => 'never'), /timed out waiting/);
  t.ok(fs.existsSync(lock), 'a waiter that gave up leaves the holder\'s lock alone');

  const old = new Date(Date.now() - 120_000);
  fs.utimesSync(lock, old, old);
  t.equal(await withFolderLock(lock, { waitMs: 2_000, staleMs: 60_000 }, () => 'took over'), 'took over');
  fs.mkdirSync(lock);
  fs.utimesSync(lock, old, old);
  t.equal(withFolderLockSync(lock, { waitMs: 2_000, staleMs: 60_000 }, () => 'took over'), 'took over');
  t.notOk(fs.existsSync(lock));
});
