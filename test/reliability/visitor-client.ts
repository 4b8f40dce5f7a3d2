/**
 * A visitor client that follows docs/protocol.md to the letter: every send carries a clientMsgId,
 * unacknowledged sends are retried with the same id after each reconnect (and on ack timeout),
 * and after each (re)connect it syncs from its cursor. It counts what it was told, for the tests.
 */
import crypto from 'node:crypto';
import { io, type Socket } from 'socket.io-client';

const WINDOW = 16;

export interface StoredMessage { id: string; seq: number; clientMsgId: string | null; sender: { kind: string } }

export class VisitorClient {
  readonly socket: Socket;
  /** clientMsgId -> the message id its (first) ack named. */
  readonly acked = new Map<string, string>();
  readonly pending = new Map<string, { text: string }>();
  /** Messages seen through acks, pushes and syncs, by seq. */
  readonly seen = new Map<number, StoredMessage>();
  cursor = 0;
  duplicateAcks = 0;
  /** A clientMsgId acknowledged with two different message ids: must stay empty. */
  readonly conflicts: string[] = [];
  private inflight = new Set<string>();

  constructor(url: string, readonly token: string, readonly sessionId: string) {
    this.socket = io(`${url}/visitor`, { auth: { token }, transports: ['websocket'], forceNew: true, reconnectionDelay: 200, reconnectionDelayMax: 1000 });
    this.socket.on('conv:message', (m: StoredMessage) => this.saw(m));
    this.socket.on('connect', () => { void this.resync(); });
    this.socket.on('disconnect', () => this.inflight.clear());
  }

  private saw(m: StoredMessage) {
    if (!this.seen.has(m.seq)) this.seen.set(m.seq, m);
    // The cursor moves over contiguous messages only (protocol §1), so a resync asks for what follows.
    while (this.seen.has(this.cursor + 1)) this.cursor++;
  }

  private async resync() {
    try {
      for (;;) {
        const ack = await this.socket.timeout(10_000).emitWithAck('conv:sync', { sessionId: this.sessionId, afterSeq: this.cursor, limit: 500 });
        if (!ack.ok) return;
        for (const m of ack.data.messages as StoredMessage[]) this.saw(m);
        this.cursor = Math.max(this.cursor, ack.data.lastSeq);
        if (!ack.data.hasMore) break;
      }
      this.pump();
    } catch { /* disconnected mid-sync: the next connect syncs again */ }
  }

  /** Queues a new message and sends it when connected. */
  send(text: string) {
    const id = crypto.randomUUID();
    this.pending.set(id, { text });
    this.pump();
  }

  /** Sends pending messages, at most WINDOW unacknowledged at a time as the protocol asks. */
  private pump() {
    if (!this.socket.connected) return;
    for (const id of this.pending.keys()) {
      if (this.inflight.size >= WINDOW) return;
      if (!this.inflight.has(id)) this.transmit(id);
    }
  }

  private transmit(clientMsgId: string) {
    this.inflight.add(clientMsgId);
    const { text } = this.pending.get(clientMsgId)!;
    this.socket.timeout(10_000).emit('conv:send', { sessionId: this.sessionId, clientMsgId, type: 'text', body: { text } }, (err: Error | null, ack: any) => {
      this.inflight.delete(clientMsgId);
      if (!err && ack?.ok) {
        const m = ack.data.message as StoredMessage;
        if (ack.data.duplicate) this.duplicateAcks++;
        const earlier = this.acked.get(clientMsgId);
        if (earlier && earlier !== m.id) this.conflicts.push(clientMsgId);
        this.acked.set(clientMsgId, m.id);
        this.pending.delete(clientMsgId);
        this.saw(m);
        this.pump();
      } else {
        // Timed out or refused (e.g. the server is going down): try again shortly.
        setTimeout(() => this.pump(), 300);
      }
    });
  }

  close() {
    this.socket.disconnect();
  }
}
