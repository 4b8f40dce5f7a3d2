/**
 * Child process for pack-memory.test.ts: validates the packs it is sent and reports its own peak
 * RSS, so the figure is the validator's (plus Node's and sharp's), not the test runner's or the
 * fixture builder's.
 */
import { validatePack } from '../src/pack/validate-pack.ts';
import { WORKER_FLAG, type WorkerReply } from './hostile-set.ts';

// Serve only when forked for that; `tap test/` also runs every file in the folder.
if (!process.argv.includes(WORKER_FLAG)) process.exit(0);

let peakRss = 0;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
};
const sampler = setInterval(sample, 2);

process.on('message', (zip: Uint8Array) => {
  void (async () => {
    sample();
    const result = await validatePack(Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength));
    sample();
    const codes = result.ok ? [] : [...new Set(result.errors.map((e) => e.code))];
    const reply: WorkerReply = { codes, peakRss };
    process.send?.(reply);
  })();
});
process.on('disconnect', () => clearInterval(sampler));
