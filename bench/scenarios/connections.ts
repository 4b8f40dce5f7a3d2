/**
 * Scenario 2, connections: (a) what one idle visitor socket costs the Parley process (RSS and heap
 * growth after garbage collection, divided by the sockets; target <= 20 KB at 5,000), and (b) how
 * many idle visitor sockets one process holds while a small active set keeps chatting: 20 visitors
 * send to their agents at a modest rate, and the idle count is stepped up until the active set's
 * send -> agent delivery p99 passes 100 ms (target: >= 10,000 held). Baseline for (b): the same
 * active set with no idle sockets. Idle sockets come from bench/idle-sockets.ts processes, the
 * active set from bench/load-generator.ts: none of them share the server's process.
 */
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR, startChild, type Child } from '../lib/child.ts';
import { seedTenant, startParleyServer } from '../lib/parley.ts';
import { commitProbe } from '../lib/commit-probe.ts';
import { openFiles, openFilesLimit, withCpu } from '../lib/proc.ts';
import { cores, databaseKind, pause, ratio, type RunOptions, type ScenarioResult } from '../lib/scenario.ts';
import { medianBy } from '../lib/stats.ts';

const P99_LIMIT_MS = 100;
const RSS_TARGET_KB = 20;
/** Files the server needs besides idle sockets: database, active set, sign-ups in flight, its own. */
const SPARE_FILES = 1500;

interface Sizes {
  /** Idle sockets at which memory per socket is measured. */
  memorySockets: number;
  steps: number[];
  /** Idle-socket processes (each holds an equal share). */
  processes: number;
  /** The active set: visitors chatting with `agents` agents. */
  visitors: number;
  agents: number;
  rate: number;
  seconds: number;
  /** Runs per step; the step's figures are the median run's. */
  rounds: number;
}
const QUICK: Sizes = { memorySockets: 500, steps: [250, 500], processes: 1, visitors: 20, agents: 5, rate: 20, seconds: 4, rounds: 1 };
const FULL: Sizes = { memorySockets: 5000, steps: process.env.CONNECTIONS_BENCH_STEPS?.split(',').map(Number) ?? [2000, 4000, 6000, 8000, 10000, 12000, 14000, 16000, 18000], processes: 4, visitors: 20, agents: 5, rate: 40, seconds: 10, rounds: 3 };

interface Run { delivery: { p50: number; p99: number; count: number }; ack: { p99: number }; errors: Record<string, number>; ackThroughput: number; offered: number; generatorCpu: number }
interface Step { idle: number; deliveryP50: number; deliveryP99: number; ackP99: number; delivered: number; errors: Record<string, number>; serverCpuPercent: number; load1: number; held: boolean; roundsP99: number[]; serverLoopDelayP99Ms: number; serverLoopDelayMaxMs: number; serverGcMaxMs: number }

const failed = (r: Run) => !(r.delivery.p99 <= P99_LIMIT_MS) || Object.keys(r.errors).length > 0 || r.ackThroughput < 0.9 * r.offered;
const kb = (bytes: number, n: number) => Math.round((bytes / n / 1024) * 10) / 10;

export async function connections(o: RunOptions, log: (s: string) => void): Promise<ScenarioResult> {
  const sizes = o.quick ? QUICK : FULL;
  const notes: string[] = [];
  log(`connections: ${sizes.visitors} active visitors and ${sizes.agents} agents at ${sizes.rate} msg/s, idle steps ${sizes.steps.join(', ')}, memory at ${sizes.memorySockets} (${databaseKind(o)})`);
  let t = Date.now();
  const server = await startParleyServer({ databaseUrl: o.databaseUrl, nodeArgs: ['--expose-gc'], env: { BENCH_COMMANDS: '1' } });
  const pid = server.child.ready.pid as number;
  log(`  server ready in ${Date.now() - t} ms`);
  const children: Child[] = [];
  try {
    // The server holds every idle socket as an open file; stop below its limit (`ulimit -n`, which
    // only root with CAP_SYS_RESOURCE could raise above the hard limit).
    const fileLimit = openFilesLimit(pid);
    const steps = sizes.steps.filter((s) => s + SPARE_FILES <= fileLimit);
    if (steps.length < sizes.steps.length) notes.push(`steps above ${steps[steps.length - 1]} skipped: the server may open ${fileLimit} files (ulimit -n)`);
    const total = Math.max(sizes.memorySockets, ...steps);

    t = Date.now();
    const agents = await seedTenant(server.url, 'conn', sizes.agents, sizes.visitors);
    const active = await startChild(path.join(BENCH_DIR, 'load-generator.ts'), {});
    children.push(active);
    const share = Math.ceil(total / sizes.processes);
    const idle = await Promise.all(Array.from({ length: sizes.processes }, (_, k) =>
      startChild(path.join(BENCH_DIR, 'idle-sockets.ts'), { BENCH_SOURCE: `127.1.${k}.1` })));
    children.push(...idle);
    // The active visitors sign up from loopback(0..visitors-1); idle visitors from the next ones.
    await Promise.all([
      active.call({ cmd: 'setup', mode: 'parley', url: server.url, tenant: 'conn', agents, visitors: sizes.visitors }),
      ...idle.map((c, k) => c.call({ cmd: 'signup', url: server.url, tenant: 'conn', count: share, from: 100 + k * share }, 1_800_000)),
    ]);
    log(`  agents, ${sizes.visitors} live sessions and ${share * sizes.processes} idle visitors ready in ${Date.now() - t} ms`);

    const connectTo = async (n: number) => {
      const t0 = Date.now();
      const per = idle.map((_, k) => Math.floor(n / idle.length) + (k < n % idle.length ? 1 : 0));
      const answers = await Promise.all(idle.map((c, k) => c.call({ cmd: 'connect', url: server.url, count: per[k] }, 900_000)));
      const connected = answers.reduce((a, x) => a + x.connected, 0);
      log(`  ${connected} idle sockets connected (${Date.now() - t0} ms for this step; server has ${openFiles(pid)} open files)`);
      if (connected < n) throw new Error(`only ${connected} of ${n} idle sockets are connected`);
    };
    const measure = async (idleCount: number): Promise<Step> => {
      const rounds: { r: Run; cpu: number }[] = [];
      await server.child.call({ cmd: 'stats' });
      for (let i = 0; i < sizes.rounds; i++) {
        const { result, cpuPercent } = await withCpu(pid, () => active.call({ cmd: 'run', rate: sizes.rate, seconds: sizes.seconds }) as Promise<Run>);
        rounds.push({ r: result, cpu: cpuPercent });
      }
      // The machine is shared: the step's figures are its median round, so one stall does not decide it.
      const { r, cpu } = medianBy(rounds, (x) => x.r.delivery.p99);
      const stats = await server.child.call({ cmd: 'stats' });
      const step: Step = {
        idle: idleCount, deliveryP50: r.delivery.p50, deliveryP99: r.delivery.p99, ackP99: r.ack.p99, delivered: r.delivery.count,
        errors: r.errors, serverCpuPercent: cpu, load1: Math.round(os.loadavg()[0]! * 10) / 10, held: !failed(r), roundsP99: rounds.map((x) => x.r.delivery.p99),
        serverLoopDelayP99Ms: stats.loopDelayP99Ms, serverLoopDelayMaxMs: stats.loopDelayMaxMs, serverGcMaxMs: stats.gcMaxMs,
      };
      log(`  ${idleCount} idle: delivery p50 ${step.deliveryP50} / p99 ${step.deliveryP99} ms (rounds' p99 ${step.roundsP99.join(', ')}), ack p99 ${step.ackP99} ms, errors ${JSON.stringify(step.errors)}, server CPU ${cpu}%, event-loop delay p99 ${stats.loopDelayP99Ms} / max ${stats.loopDelayMaxMs} ms, longest GC ${stats.gcMaxMs} ms, active generator CPU ${r.generatorCpu}%, load ${step.load1}`);
      return step;
    };

    await active.call({ cmd: 'run', rate: sizes.rate, seconds: 2 }); // warm-up
    const base = await measure(0);
    const probe = server.db ? await commitProbe(server.db.url, sizes.rate, sizes.seconds) : null;
    if (probe) log(`  bare commits on the same PostgreSQL at ${sizes.rate}/s: p50 ${probe.p50} / p99 ${probe.p99} / max ${probe.max} ms`);

    // (a) Only connections between the two readings: nothing else allocates meanwhile.
    const before = await server.child.call({ cmd: 'memory' });
    if (!before.gc) notes.push('the server ran without --expose-gc: memory figures include garbage');
    await connectTo(sizes.memorySockets);
    await pause(1000);
    const after = await server.child.call({ cmd: 'memory' });
    const n = sizes.memorySockets;
    const memory = { rss: kb(after.rss - before.rss, n), heap: kb(after.heapUsed - before.heapUsed, n), external: kb(after.external + after.arrayBuffers - before.external - before.arrayBuffers, n) };
    log(`  memory at ${n} idle sockets: RSS +${kb(after.rss - before.rss, 1024)} MB = ${memory.rss} KB per socket (heap ${memory.heap} KB, external ${memory.external} KB)`);

    // (b) Every step is run (on a noisy machine the curve says more than the first failure) until errors
    // or a median over the limit say the server is overwhelmed.
    const stepResults: Step[] = [];
    for (const idleCount of steps) {
      await connectTo(idleCount);
      // Let the server finish the handshakes (or, going down from the memory reading, the closes).
      await pause(2000);
      const step = await measure(idleCount);
      stepResults.push(step);
      if (Object.keys(step.errors).length > 0 || !(step.deliveryP50 <= P99_LIMIT_MS)) break;
    }
    const firstFailing = stepResults.find((s) => !s.held);
    const held = base.held ? stepResults.filter((s) => s.held && (!firstFailing || s.idle < firstFailing.idle)).pop() ?? null : null;
    const status = await Promise.all(idle.map((c) => c.call({ cmd: 'status' })));
    const dropped = status.reduce((a, s) => a + s.dropped, 0);
    if (dropped) notes.push(`${dropped} idle sockets were disconnected during the run`);
    if (base.deliveryP99 > P99_LIMIT_MS) notes.push(`the active set's p99 with no idle sockets is already over ${P99_LIMIT_MS} ms: the machine (or the message path) is the limit, not the sockets`);
    if (probe) notes.push('bareCommit*: one-row insert + commit at the same rate on the same PostgreSQL, alone (lib/commit-probe.ts): the floor any store-then-ack path has here');
    if (held && held.idle === steps[steps.length - 1]) notes.push(`the last step held: ${held.idle} is a lower bound (step cap)`);
    notes.push(`memory: server RSS/heap growth after gc from 0 to ${sizes.memorySockets} idle sockets, divided by them; its baseline column is the 20 KB target, not a measured program`);
    notes.push(`a step holds while the active set's delivery p99 <= ${P99_LIMIT_MS} ms without errors and >= 90 % acknowledged in time (the median of ${sizes.rounds} run(s) of ${sizes.seconds} s); idleHeld is the highest step with every step below it held`);

    return {
      name: 'connections',
      figures: {
        memorySockets: sizes.memorySockets,
        rssPerSocketKB: memory.rss,
        heapPerSocketKB: memory.heap,
        externalPerSocketKB: memory.external,
        activeVisitors: sizes.visitors,
        agents: sizes.agents,
        activeRate: sizes.rate,
        idleHeld: held?.idle ?? 0,
        deliveryP99AtHeld: held?.deliveryP99,
        firstFailingStep: firstFailing?.idle ?? null,
        serverOpenFilesLimit: fileLimit,
        steps: stepResults,
      },
      baseline: { rssPerSocketKB: RSS_TARGET_KB, deliveryP99AtHeld: base.deliveryP99, deliveryP50: base.deliveryP50, serverCpuPercent: base.serverCpuPercent, serverLoopDelayMaxMs: base.serverLoopDelayMaxMs, ...(probe ? { bareCommitP50: probe.p50, bareCommitP99: probe.p99 } : {}) },
      ratio: {
        rssPerSocketKB: ratio(memory.rss, RSS_TARGET_KB),
        deliveryP99AtHeld: ratio(held?.deliveryP99, base.deliveryP99),
        ...Object.fromEntries(stepResults.map((s) => [`deliveryP99At${s.idle}`, ratio(s.deliveryP99, base.deliveryP99)])),
      },
      cores: cores(),
      database: databaseKind(o),
      notes,
    };
  } finally {
    await Promise.all(children.map((c) => c.kill()));
    await server.stop();
  }
}
