/**
 * Scenario 1, the message path: visitors in live sessions send text messages over socket.io at an
 * offered rate; the load generator (a separate process) times send -> stored ack and send -> the
 * agent's `conv:message`. Then a saturation ramp and an overload run at 1.5x, against Parley and
 * then against the same-run baseline relay (bench/baseline-relay.ts) on the same kind of database.
 */
import path from 'node:path';
import { BENCH_DIR, startChild, type Child } from '../lib/child.ts';
import { createDatabase } from '../lib/database.ts';
import { seedTenant, startParleyServer } from '../lib/parley.ts';
import { backendCpu, backendCpuSince, cpuSeconds } from '../lib/proc.ts';
import { cores, databaseKind, pause, ratio, type RunOptions, type ScenarioResult } from '../lib/scenario.ts';

const P99_LIMIT_MS = 100;

interface Sizes { visitors: number; agents: number; rate: number; seconds: number; rampFrom: number; stepSeconds: number; maxSteps: number; refineSteps: number }
const QUICK: Sizes = { visitors: 50, agents: 5, rate: 100, seconds: 5, rampFrom: 25, stepSeconds: 1.5, maxSteps: 10, refineSteps: 1 };
const FULL: Sizes = { visitors: 1000, agents: 50, rate: 500, seconds: 30, rampFrom: 50, stepSeconds: 10, maxSteps: 14, refineSteps: 3 };

interface Run { offered: number; ackThroughput: number; deliveredThroughput: number; ack: { p50: number; p95: number; p99: number }; delivery: { p50: number; p95: number; p99: number }; errors: Record<string, number>; sent: number; acked: number; skipped: number; generatorCpu: number }

/** A step fails when p99 passes 100 ms, any send fails, or fewer than 90 % of the offered sends are acknowledged in time. */
const failed = (r: Run) => r.ack.p99 > P99_LIMIT_MS || Object.keys(r.errors).length > 0 || r.ackThroughput < 0.9 * r.offered;

interface ServerStats { loopDelayP99Ms: number; loopDelayMaxMs: number; gcCount: number; gcMaxMs: number; gcMajorCount: number; gcMajorMaxMs: number }

/**
 * Ramp x1.5 from a low rate until a step fails, then narrow down between the last passing and the
 * failing rate (the saturation rate is the best passing step); then the offered run, then 1.5x the
 * saturation rate. The ramp goes first so that an offered rate the server cannot keep up with
 * leaves no backlog in the steps that find its saturation.
 */
async function measure(gen: Child, sizes: Sizes, log: (s: string) => void, serverPid: number, database: string | null, stats?: () => Promise<ServerStats>) {
  // A short warm-up so the first figures are not the JIT's.
  await gen.call({ cmd: 'run', rate: sizes.rampFrom, seconds: 1 });
  const steps: Run[] = [];
  let rate = sizes.rampFrom;
  let saturation = null as Run | null;
  // A failing step runs once more: on a shared machine one stall of another tenant's process can
  // push a step's p99 past the limit, and the ramp would stop there.
  const step = async (offered: number): Promise<boolean> => {
    for (let attempt = 1; attempt <= 2; attempt++) {
      const r: Run = await gen.call({ cmd: 'run', rate: offered, seconds: sizes.stepSeconds });
      steps.push(r);
      log(`  ramp ${offered}/s${attempt > 1 ? ' (again)' : ''}: acked ${r.ackThroughput}/s, p99 ${r.ack.p99} ms, errors ${JSON.stringify(r.errors)}, generator CPU ${r.generatorCpu}%`);
      if (!failed(r)) {
        if (!saturation || r.ackThroughput > saturation.ackThroughput) saturation = r;
        return true;
      }
      // Let a backlog drain before the next run.
      await pause(2000);
    }
    return false;
  };
  let failedAt: number | null = null;
  for (let i = 0; i < sizes.maxSteps; i++) {
    if (!(await step(rate))) {
      failedAt = rate;
      break;
    }
    rate = Math.round(rate * 1.5);
  }
  // x1.5 steps alone would quantise the ratio of two servers by up to 1.5x: narrow the bracket
  // between the last passing and the first failing rate geometrically, to about 5 %.
  let passedAt = saturation?.offered ?? null;
  for (let i = 0; i < sizes.refineSteps && passedAt !== null && failedAt !== null; i++) {
    const mid = Math.round(Math.sqrt(passedAt * failedAt));
    if (await step(mid)) passedAt = mid;
    else failedAt = mid;
  }
  await pause(2000);
  // CPU per message at the offered rate: where the work goes (the server process, its database backends).
  const cpu0 = { server: cpuSeconds(serverPid), database: database ? backendCpu(database) : null };
  await stats?.();
  const offered: Run = await gen.call({ cmd: 'run', rate: sizes.rate, seconds: sizes.seconds });
  const server = await stats?.();
  if (server) log(`  offered: server event-loop delay p99 ${server.loopDelayP99Ms} / max ${server.loopDelayMaxMs} ms; ${server.gcCount} GC pauses, longest ${server.gcMaxMs} ms; ${server.gcMajorCount} major, longest ${server.gcMajorMaxMs} ms`);
  const msPerMessage = (seconds: number) => (offered.acked ? Math.round((seconds * 1e6) / offered.acked) / 1000 : null);
  const atOffered = {
    server: msPerMessage(cpuSeconds(serverPid) - cpu0.server),
    database: database && cpu0.database ? msPerMessage(backendCpuSince(database, cpu0.database)) : null,
    generator: offered.generatorCpu,
    loopDelayMaxMs: server?.loopDelayMaxMs ?? null,
    gcMaxMs: server?.gcMaxMs ?? null,
  };
  log(`  offered ${sizes.rate}/s: acked ${offered.ackThroughput}/s, ack p99 ${offered.ack.p99} ms, delivery p99 ${offered.delivery.p99} ms, errors ${JSON.stringify(offered.errors)}; CPU a message: server ${atOffered.server} ms${database ? `, its PostgreSQL backends ${atOffered.database} ms` : ''}`);
  await pause(2000);
  const satRate = saturation?.offered ?? sizes.rate;
  const overload: Run = await gen.call({ cmd: 'run', rate: Math.round(satRate * 1.5), seconds: sizes.stepSeconds * 2 });
  log(`  overload ${Math.round(satRate * 1.5)}/s: delivered ${overload.deliveredThroughput}/s, errors ${JSON.stringify(overload.errors)}`);
  return {
    offered,
    atOffered,
    saturationRate: saturation?.ackThroughput ?? 0,
    maxAckThroughput: Math.max(offered.ackThroughput, ...steps.map((s) => s.ackThroughput)),
    saturationReachedCeiling: failedAt === null,
    saturationDelivered: saturation?.deliveredThroughput ?? 0,
    overload,
    steps: steps.map((s) => ({ offered: s.offered, ackThroughput: s.ackThroughput, ackP99: s.ack.p99, deliveryP99: s.delivery.p99, errors: s.errors })),
  };
}

const figures = (m: Awaited<ReturnType<typeof measure>>) => ({
  offeredRate: m.offered.offered,
  ackP50: m.offered.ack.p50, ackP95: m.offered.ack.p95, ackP99: m.offered.ack.p99,
  deliveryP50: m.offered.delivery.p50, deliveryP95: m.offered.delivery.p95, deliveryP99: m.offered.delivery.p99,
  offeredErrors: m.offered.errors,
  serverCpuMsPerMessage: m.atOffered.server,
  databaseCpuMsPerMessage: m.atOffered.database,
  generatorCpuAtOffered: m.atOffered.generator,
  serverLoopDelayMaxMsAtOffered: m.atOffered.loopDelayMaxMs,
  serverGcMaxMsAtOffered: m.atOffered.gcMaxMs,
  saturationThroughput: m.saturationRate,
  maxAckThroughput: m.maxAckThroughput,
  saturationIsRampCeiling: m.saturationReachedCeiling,
  overloadOffered: m.overload.offered,
  overloadDelivered: m.overload.deliveredThroughput,
  overloadOverSaturation: ratio(m.overload.deliveredThroughput, m.saturationDelivered),
  overloadErrors: m.overload.errors,
  generatorCpuAtOverload: m.overload.generatorCpu,
  ramp: m.steps,
});

export async function messagePath(o: RunOptions, log: (s: string) => void): Promise<ScenarioResult> {
  const sizes = o.quick ? QUICK : FULL;
  const genScript = path.join(BENCH_DIR, 'load-generator.ts');

  log(`message-path: ${sizes.visitors} visitors, ${sizes.agents} agents, ${sizes.rate} msg/s for ${sizes.seconds} s (${databaseKind(o)})`);
  log('parley:');
  let t = Date.now();
  const server = await startParleyServer({ databaseUrl: o.databaseUrl, env: { BENCH_COMMANDS: '1' } });
  log(`  server ready in ${Date.now() - t} ms`);
  let parley;
  try {
    t = Date.now();
    const agents = await seedTenant(server.url, 'bench', sizes.agents, sizes.visitors);
    const gen = await startChild(genScript, {});
    try {
      await gen.call({ cmd: 'setup', mode: 'parley', url: server.url, tenant: 'bench', agents, visitors: sizes.visitors });
      log(`  tenant, agents and ${sizes.visitors} live sessions ready in ${Date.now() - t} ms`);
      parley = await measure(gen, sizes, log, server.child.child.pid!, server.db ? new URL(server.db.url).pathname.slice(1) : null, () => server.child.call({ cmd: 'stats' }));
    } finally {
      await gen.kill();
    }
  } finally {
    await server.stop();
  }
  await pause(500);

  log('baseline relay:');
  const relayDb = o.databaseUrl ? await createDatabase(o.databaseUrl, 'parley_relay') : null;
  let relay;
  try {
    const relayChild = await startChild(path.join(BENCH_DIR, 'baseline-relay.ts'), { DATABASE_URL: relayDb?.url ?? '' });
    try {
      const gen = await startChild(genScript, {});
      try {
        await gen.call({ cmd: 'setup', mode: 'relay', url: relayChild.ready.ready, agents: sizes.agents, visitors: sizes.visitors });
        relay = await measure(gen, sizes, log, relayChild.child.pid!, relayDb ? new URL(relayDb.url).pathname.slice(1) : null);
      } finally {
        await gen.kill();
      }
    } finally {
      await relayChild.kill();
    }
  } finally {
    await relayDb?.drop();
  }

  const notes = [];
  if (parley.saturationReachedCeiling || relay.saturationReachedCeiling) notes.push('a ramp ended at its step limit before failing: that saturation figure is a lower bound');
  return {
    name: 'message-path',
    figures: { visitors: sizes.visitors, agents: sizes.agents, ...figures(parley) },
    baseline: figures(relay),
    ratio: {
      saturationThroughput: ratio(parley.saturationRate, relay.saturationRate),
      maxAckThroughput: ratio(parley.maxAckThroughput, relay.maxAckThroughput),
      ackP99: ratio(parley.offered.ack.p99, relay.offered.ack.p99),
      deliveryP99: ratio(parley.offered.delivery.p99, relay.offered.delivery.p99),
      serverCpuMsPerMessage: parley.atOffered.server !== null && relay.atOffered.server !== null ? ratio(parley.atOffered.server, relay.atOffered.server) : null,
      databaseCpuMsPerMessage: parley.atOffered.database !== null && relay.atOffered.database !== null ? ratio(parley.atOffered.database, relay.atOffered.database) : null,
    },
    cores: cores(),
    database: databaseKind(o),
    notes,
  };
}
