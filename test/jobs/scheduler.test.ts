import t from 'tap';
import pino from 'pino';
import { Scheduler } from '../../core/jobs/scheduler.ts';
import { ManualClock } from '../../core/clock.ts';
import { freshDatabase, dbKind } from '../helpers/database.ts';

t.test('jobs run with the clock, survive failures, and run on one process at a time', async (t) => {
  const db = await freshDatabase();
  t.teardown(() => db.close());
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  const one = new Scheduler(db.knex, db.kind, clock, pino({ level: 'silent' }));
  const seen: string[] = [];
  one.every('test', 'test.record', 60_000, (now) => {
    seen.push(now.toISOString());
  });
  let failures = 0;
  one.every('test', 'test.fail', 60_000, () => {
    failures++;
    throw new Error('boom');
  });
  t.throws(() => one.every('test', 'test.record', 60_000, () => undefined), /twice/);
  t.throws(() => one.every('test', 'test.fast', 10, () => undefined), /once a second/);

  await one.runNow('test.record');
  clock.advance(3 * 86400_000);
  await one.runNow('test.record');
  t.same(seen, ['2026-01-01T00:00:00.000Z', '2026-01-04T00:00:00.000Z'], 'runs see the clock, not the wall time');
  await one.runNow('test.fail');
  await one.runNow('test.fail');
  t.equal(failures, 2, 'a failing job is logged and runs again next time');

  if (dbKind() === 'postgres') {
    // Two schedulers (as on two nodes) start the same job together: only one run happens.
    const two = new Scheduler(db.knex, db.kind, clock, pino({ level: 'silent' }));
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = async () => {
      runs++;
      await gate;
    };
    one.every('test', 'test.exclusive', 60_000, slow);
    two.every('test', 'test.exclusive', 60_000, slow);
    const first = one.runNow('test.exclusive');
    await new Promise((r) => setTimeout(r, 200));
    await two.runNow('test.exclusive');
    release();
    await first;
    t.equal(runs, 1, 'the second process skipped the run the first held');

    // A job about the process itself runs on every process, even at the same moment.
    let each = 0;
    let releaseEach!: () => void;
    const gateEach = new Promise<void>((r) => (releaseEach = r));
    const beat = async () => {
      each++;
      await gateEach;
    };
    one.every('test', 'test.each', 60_000, beat, { eachProcess: true });
    two.every('test', 'test.each', 60_000, beat, { eachProcess: true });
    const held = one.runNow('test.each');
    await new Promise((r) => setTimeout(r, 200));
    const second = two.runNow('test.each');
    await new Promise((r) => setTimeout(r, 200));
    t.equal(each, 2, 'both processes ran it');
    releaseEach();
    await Promise.all([held, second]);
  }
  await one.stop();
});
