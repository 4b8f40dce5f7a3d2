/**
 * How many socket events run at once. Up to `total` run; beyond that an event waits and its
 * connection stops reading. Waiting events start a connection at a time in turn, not in arrival
 * order: a client's window arrives as one burst, often for one conversation whose messages are
 * stored one after another, and a few such bursts would hold every running slot while the
 * database had little to do. Connections read again, oldest first, as the wait has room for
 * a whole window of theirs: a client's further sends then stay on its side, held back by its
 * own window of unanswered events. Refusing them instead would cost nearly as much as doing them
 * (each refusal is a frame parsed, answered and sent), and under overload that cost comes out of
 * the work being done. The wait is bounded, in length and in time; beyond either an event is
 * refused with 503 OVERLOADED (a client that gave up waiting has resent it anyway).
 */
import type { Socket } from 'socket.io';
import type { Ack } from './events.ts';

export interface AdmissionLimits {
  /** Events one connection may have running or waiting (its window). */
  perSocket: number;
  /** Events this process runs at once. */
  total: number;
  /** Events that may wait for room; more are refused at once. */
  waiting: number;
  /** How long an event may wait; one that waited longer is refused when its turn comes. */
  maxWaitMs: number;
}

export const DEFAULT_LIMITS: Readonly<AdmissionLimits> = { perSocket: 32, total: 256, waiting: 1024, maxWaitMs: 5000 };

/** What admission counts on each socket. */
export interface Window {
  inFlight: number;
}

export interface Work {
  socket: Socket;
  window: Window;
  /** Runs the event and answers it; must not reject. */
  run(): Promise<void>;
  refuse(ack: Ack): void;
}

interface Waiting extends Work {
  since: number;
}

/** The reading side of a connection's transport: a WebSocket can stop reading, long-polling cannot. */
interface Readable {
  pause(): void;
  resume(): void;
}

const TOO_MANY_REQUESTS: Ack = Object.freeze({
  ok: false,
  error: { statusCode: 429, code: 'TOO_MANY_REQUESTS', message: 'Too many requests are in progress on this connection; wait for their answers.' },
});
const OVERLOADED: Ack = Object.freeze({
  ok: false,
  error: { statusCode: 503, code: 'OVERLOADED', message: 'The server is busy; try again shortly.' },
});

export class Admission {
  private running = 0;
  /** Waiting events by connection; a connection goes to the back after each of its events starts. */
  private readonly queue = new Map<Window, Waiting[]>();
  private queued = 0;
  /** Connections that stopped reading, in the order they stopped. */
  private readonly paused = new Set<Readable>();
  /** Connections resumed in this turn of the event loop: their events have not arrived yet. */
  private resumedThisTurn = 0;
  private turnEnding = false;

  constructor(private readonly limits: AdmissionLimits) {}

  admit(work: Work): void {
    if (work.window.inFlight >= this.limits.perSocket) return work.refuse(TOO_MANY_REQUESTS);
    if (this.running < this.limits.total && this.queued === 0) {
      work.window.inFlight++;
      this.start(work);
      return;
    }
    if (this.queued >= this.limits.waiting) return work.refuse(OVERLOADED);
    work.window.inFlight++;
    const waiting = { ...work, since: performance.now() };
    const mine = this.queue.get(work.window);
    if (mine) mine.push(waiting);
    else this.queue.set(work.window, [waiting]);
    this.queued++;
    const reading = readingSide(work.socket);
    if (reading && !this.paused.has(reading)) {
      reading.pause();
      this.paused.add(reading);
    }
  }

  private start(work: Work): void {
    this.running++;
    void work.run().finally(() => {
      work.window.inFlight--;
      this.running--;
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.limits.total && this.queued > 0) {
      const [window, mine] = this.queue.entries().next().value!;
      const w = mine.shift()!;
      this.queued--;
      this.queue.delete(window);
      if (mine.length > 0) this.queue.set(window, mine);
      if (!w.socket.connected) {
        w.window.inFlight--;
      } else if (performance.now() - w.since > this.limits.maxWaitMs) {
        w.window.inFlight--;
        w.refuse(OVERLOADED);
      } else {
        this.start(w);
      }
    }
    this.resumeSome();
  }

  /**
   * Lets paused connections read again while the wait has room for a whole window of each: counting
   * the ones resumed this turn, whose events arrive only in a later turn. At least one when nothing
   * waits, so a limit smaller than a window cannot stall.
   */
  private resumeSome(): void {
    for (const reading of this.paused) {
      const room = this.limits.waiting - this.queued - this.resumedThisTurn * this.limits.perSocket;
      if (room < this.limits.perSocket && !(this.queued === 0 && this.resumedThisTurn === 0)) break;
      this.paused.delete(reading);
      reading.resume();
      this.resumedThisTurn++;
    }
    if (this.resumedThisTurn > 0 && !this.turnEnding) {
      this.turnEnding = true;
      setImmediate(() => {
        this.turnEnding = false;
        this.resumedThisTurn = 0;
        this.resumeSome();
      });
    }
  }
}

function readingSide(socket: Socket): Readable | undefined {
  const transport = socket.conn.transport as unknown as { name: string; socket?: Readable };
  return transport.name === 'websocket' ? transport.socket : undefined;
}
