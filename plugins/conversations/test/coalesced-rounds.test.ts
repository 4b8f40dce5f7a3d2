/** One round at a time per key; calls made during a round get exactly one more, and none is lost. */
import t from 'tap';
import { CoalescedRounds } from '../src/services/coalesced-rounds.ts';

/** A round function whose rounds end when the test says so. */
function controlled() {
  const started: string[] = [];
  const ends: Array<(err?: Error) => void> = [];
  const rounds = new CoalescedRounds((key) => {
    started.push(key);
    return new Promise<void>((resolve, reject) => ends.push((err) => (err ? reject(err) : resolve())));
  });
  const tick = () => new Promise((r) => setImmediate(r));
  return { rounds, started, end: async (i: number, err?: Error) => { ends[i]!(err); await tick(); }, tick };
}

t.test('calls during a round are served by one more round, not one each', async (t) => {
  const { rounds, started, end } = controlled();
  const settled: string[] = [];
  const first = rounds.run('a').then(() => settled.push('first'));
  t.same(started, ['a'], 'the first call starts a round at once');
  const later = [1, 2, 3].map((n) => rounds.run('a').then(() => settled.push(`later ${n}`)));
  t.same(started, ['a'], 'no second round beside the running one');
  await end(0);
  t.same(started, ['a', 'a'], 'one more round for the three calls made meanwhile');
  t.same(settled, [], 'nobody is done before a round that began after their call');
  await end(1);
  await Promise.all([first, ...later]);
  t.same(started.length, 2, 'and no third');
  t.same(settled.sort(), ['first', 'later 1', 'later 2', 'later 3']);
});

t.test('keys run side by side', async (t) => {
  const { rounds, started, end } = controlled();
  const a = rounds.run('a');
  const b = rounds.run('b');
  t.same(started, ['a', 'b']);
  await end(0);
  await end(1);
  await Promise.all([a, b]);
});

t.test('a call right after the last round ends starts a new one', async (t) => {
  const { rounds, started, end } = controlled();
  const first = rounds.run('a');
  let second: Promise<void> | undefined;
  // Called from the first round's own resolution, before its runner has looked again.
  void first.then(() => (second = rounds.run('a')));
  await end(0);
  await first;
  t.same(started, ['a', 'a'], 'the late call got a round of its own');
  await end(1);
  await second;
});

t.test('a failed round fails the calls it served and leaves the key free', async (t) => {
  const { rounds, started, end } = controlled();
  const first = t.rejects(rounds.run('a'), /database went away/);
  const during = t.rejects(rounds.run('a'), /database went away/, 'a call it was to serve again too');
  await end(0, new Error('database went away'));
  await Promise.all([first, during]);
  const next = rounds.run('a');
  t.equal(started.length, 2, 'the next call starts afresh');
  await end(1);
  await next;
});
