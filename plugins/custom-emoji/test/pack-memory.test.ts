/**
 * The whole hostile set runs in bounded memory: the validating process's peak RSS stays under
 * 256 MB. This asserts memory, not time. Packs are built here and validated in a fresh Node
 * process (validate-worker.ts), which samples its own RSS, as a server would only validate.
 */
import t from 'tap';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { HOSTILE_CASES, WORKER_FLAG, type WorkerReply } from './hostile-set.ts';

const RSS_LIMIT = 256 * 1024 * 1024;
const worker = fileURLToPath(new URL('./validate-worker.ts', import.meta.url));

t.test(`peak RSS over the hostile set stays under ${RSS_LIMIT / 1024 / 1024} MB`, async (t) => {
  const child = fork(worker, [WORKER_FLAG], { execArgv: ['--import', 'tsx'], serialization: 'advanced' });
  t.teardown(() => {
    if (child.connected) child.disconnect();
  });

  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`validate-worker exited with code ${String(code)}`);
  });
  exited.catch(() => {}); // only awaited through the race below

  let peakRss = 0;
  for (const { label, build, code } of HOSTILE_CASES) {
    child.send(await build());
    const [reply] = (await Promise.race([once(child, 'message'), exited])) as [WorkerReply];
    t.same(reply.codes, code === null ? [] : [code], `${label}: ${code ?? 'accepted'}`);
    peakRss = reply.peakRss;
  }
  t.ok(peakRss < RSS_LIMIT, `peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
});
