/**
 * Recurring background jobs. Each job runs on one Parley process at a time: on a PostgreSQL server a
 * run first takes an advisory lock named after the job on a connection of its own (so the job's
 * queries keep the pool), and a process that cannot take it skips that run. PGlite is one process
 * by construction and needs no lock. A job registered with `eachProcess` (work about this process,
 * such as a presence heartbeat) runs on every process and takes no lock. A failing run is logged
 * and the job keeps its schedule.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';

export type JobRun = (now: Date) => unknown;

export interface JobOptions {
  /** Run on every process instead of one at a time. */
  eachProcess?: boolean;
}

interface Job {
  owner: string;
  name: string;
  everyMs: number;
  run: JobRun;
  eachProcess: boolean;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
}

/** A stable 63-bit lock key from the job name. */
const lockKey = (name: string) => crypto.createHash('sha256').update(`parley-job:${name}`).digest().readBigInt64BE(0).toString();

export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private started = false;

  constructor(
    private readonly knex: Knex,
    private readonly dbKind: 'postgres' | 'pglite',
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Registers `run` to be called every `everyMs` once the server starts. Names are global. */
  every(owner: string, name: string, everyMs: number, run: JobRun, options: JobOptions = {}): void {
    if (this.jobs.has(name)) throw new Error(`job "${name}" is registered twice`);
    if (everyMs < 1000) throw new Error(`job "${name}" runs more often than once a second`);
    const job: Job = { owner, name, everyMs, run, eachProcess: options.eachProcess === true };
    this.jobs.set(name, job);
    if (this.started) this.schedule(job);
  }

  names(): string[] {
    return [...this.jobs.keys()];
  }

  /** Runs a job once now (tests, the CLI); resolves when it has finished. */
  async runNow(name: string): Promise<void> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job "${name}"`);
    await this.execute(job);
  }

  start(): void {
    this.started = true;
    for (const job of this.jobs.values()) this.schedule(job);
  }

  private schedule(job: Job): void {
    job.timer = setInterval(() => void this.execute(job), job.everyMs);
    job.timer.unref();
  }

  private async execute(job: Job): Promise<void> {
    if (job.running) return job.running;
    const run = async () => {
      try {
        if (this.dbKind === 'pglite' || job.eachProcess) await job.run(this.clock.now());
        else await this.withLock(job.name, () => job.run(this.clock.now()));
      } catch (err) {
        this.log.error({ err, job: job.name, owner: job.owner }, 'background job failed');
      }
    };
    // Cleared in a later tick, after the assignment, even when the job fails synchronously.
    job.running = run().finally(() => {
      job.running = undefined;
    });
    return job.running;
  }

  private async withLock(name: string, fn: () => unknown): Promise<void> {
    type Conn = { query(sql: string, values: unknown[]): Promise<{ rows: Array<{ locked: boolean }> }> };
    const client = this.knex.client as { acquireConnection(): Promise<Conn>; releaseConnection(c: Conn): Promise<void> };
    const conn = await client.acquireConnection();
    try {
      const { rows } = await conn.query('select pg_try_advisory_lock($1::bigint) as locked', [lockKey(name)]);
      if (!rows[0]?.locked) return;
      try {
        await fn();
      } finally {
        await conn.query('select pg_advisory_unlock($1::bigint)', [lockKey(name)]);
      }
    } finally {
      await client.releaseConnection(conn);
    }
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const job of this.jobs.values()) clearInterval(job.timer);
    await Promise.all([...this.jobs.values()].map((j) => j.running));
  }
}
