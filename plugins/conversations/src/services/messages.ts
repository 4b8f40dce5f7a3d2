/**
 * Sending and reading messages. A message is stored (its `seq` taken from the locked session row)
 * before it is acknowledged; a retried `clientMsgId` gets the stored message back, never a second copy.
 */
import type { Deps } from './deps.ts';
import type { Sessions } from './sessions.ts';
import { AppError, errors } from '../../../../core/http/errors.ts';
import type { MemberPrincipal } from '../../../../core/auth/principal.ts';
import { byClientId, page, type Stored } from '../db/messages.ts';
import { findRecord, lockSession } from '../db/sessions.ts';
import { systemMessage } from './system-message.ts';
import { assertNoNul } from '../text-guard.ts';
import { messageView } from '../views.ts';
import { SessionFactsCache } from './session-facts.ts';
import { KeyedSerial } from './keyed-serial.ts';
import { StoreQueue } from './store-queue.ts';
import { P, can, notYours, sessionNotFound, type Actor } from '../access.ts';
import { OPEN_STATES, type MessageRow, type MessageView, type Sender, type SessionFacts, type SessionRow, type Visibility } from '../types.ts';

export interface SendInput {
  clientMsgId: string;
  type: string;
  body: Record<string, unknown>;
}

export interface SendResult {
  message: MessageView;
  duplicate: boolean;
}

export interface SyncResult {
  messages: MessageView[];
  /** Pass as `afterSeq` next time. */
  lastSeq: number;
  hasMore: boolean;
}

const UNIQUE_VIOLATION = '23505';
const REJECT_CODE = /^[A-Z][A-Z0-9_]{2,63}$/;
const closed = (s: Pick<SessionRow, 'state'>) => s.state === 'closed' || s.state === 'aborted';

export class Messages {
  private readonly facts = new SessionFactsCache();
  private readonly order = new KeyedSerial();
  private readonly arrivals = new KeyedSerial();
  private readonly queue: StoreQueue;

  constructor(
    private readonly d: Deps,
    private readonly sessions: Sessions,
  ) {
    // A third of the pool: the send path leaves connections for everything else.
    this.queue = new StoreQueue(d.knex, d.eventsFrom, { concurrency: Math.max(1, Math.floor(d.connections / 3)), maxBatch: 64 });
  }

  private senderOf(actor: Actor, s: SessionFacts): Sender {
    if (actor.kind === 'visitor') return { kind: 'visitor', id: actor.visitorId, name: s.visitor_name };
    return { kind: 'agent', id: actor.memberId, name: s.agent_name };
  }

  private assertMaySend(actor: Actor, s: SessionFacts): void {
    if (closed(s)) throw errors.conflict('SESSION_CLOSED', 'This session has ended.');
    if (actor.kind === 'member' && s.agent_id !== actor.memberId) {
      if (s.state !== 'active') throw errors.conflict('SESSION_NOT_ACTIVE', 'Take the session before writing in it.');
      throw notYours();
    }
  }

  /**
   * `fromSocket`: the socket the send came on. It gets the message in its acknowledgement, so it is
   * left out of the push (the sender's other tabs still get it).
   */
  async send(actor: Actor, idOrCode: string, input: SendInput, fromSocket?: string): Promise<SendResult> {
    // A sender's messages are stored in the order they arrived: a client sends the next before the
    // last is acknowledged, and the steps before storing (a session read, hooks) can finish out of order.
    const senderId = actor.kind === 'visitor' ? actor.visitorId : actor.memberId;
    return this.arrivals.run(`${actor.tenantId}:${senderId}:${idOrCode}`, () => this.sendInTurn(actor, senderId, idOrCode, input, fromSocket));
  }

  private async sendInTurn(actor: Actor, senderId: string, idOrCode: string, input: SendInput, fromSocket?: string): Promise<SendResult> {
    const s = await this.factsFor(actor, idOrCode);
    try {
      this.assertMaySend(actor, s);
    } catch {
      return this.refused(actor, idOrCode, s, senderId, input.clientMsgId, fromSocket);
    }
    assertNoNul(input.body, 'body');

    const sender = this.senderOf(actor, s);
    const grants = actor.kind === 'member' ? (key: string) => can(actor as MemberPrincipal, key) : undefined;
    const { body } = await this.d.types.validate(input.type, input.body, { tenantId: s.tenant_id, sessionId: s.id, sender, grants });
    const draft = await this.d.hooks.filter('conversations.message.beforeStore', { tenantId: s.tenant_id }, {
      sessionId: s.id, visitorId: s.visitor_id, sender, type: input.type, body,
    });
    if (draft.reject) {
      const code = REJECT_CODE.test(draft.reject.code) ? draft.reject.code : 'MESSAGE_REJECTED';
      throw new AppError(422, code, String(draft.reject.message || 'The message was refused.').slice(0, 300));
    }
    const finalBody = draft.body && typeof draft.body === 'object' ? draft.body : body;
    assertNoNul(finalBody, 'body');

    const message = {
      sessionId: s.id, senderKind: sender.kind as 'visitor' | 'agent', senderId,
      type: input.type, body: finalBody, clientMsgId: input.clientMsgId, visibility: 'all' as const, preview: this.d.types.preview(input.type, finalBody),
    };
    const guard = actor.kind === 'visitor' ? { states: OPEN_STATES } : { states: ['active' as const], agentId: actor.memberId };
    // Stored and pushed one at a time per session, so this process pushes them in seq order.
    return this.order.run(s.id, async () => {
      let stored: Stored | undefined;
      try {
        stored = await this.queue.store({ input: message, guard });
      } catch (err) {
        // A retry that raced its first attempt (from another process): the unique client id kept the first.
        if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
        stored = undefined;
      }
      if (!stored) return this.refused(actor, idOrCode, s, senderId, input.clientMsgId, fromSocket);
      this.facts.set(actor.tenantId, idOrCode, stored.session);
      this.published(stored.session, stored.message, fromSocket);
      return { message: messageView(stored.message), duplicate: false };
    });
  }

  /** The session as last seen by this process when it may serve this sender; read afresh otherwise. */
  private async factsFor(actor: Actor, idOrCode: string): Promise<SessionFacts> {
    const hit = this.facts.get(actor.tenantId, idOrCode);
    if (hit && (actor.kind === 'visitor' ? hit.visitor_id === actor.visitorId : hit.agent_id === actor.memberId && can(actor, P.workbench))) return hit;
    const s = await this.sessions.visible(actor, idOrCode);
    this.facts.set(actor.tenantId, idOrCode, s);
    return s;
  }

  /**
   * Nothing was stored: the client id was (a retry gets the first message back, even after the
   * session ended), or the session is not as it was last seen (closed, transferred).
   */
  private async refused(actor: Actor, idOrCode: string, s: SessionFacts, senderId: string, clientMsgId: string, fromSocket?: string): Promise<SendResult> {
    const earlier = await byClientId(this.d.knex, s.id, senderId, clientMsgId);
    if (earlier) {
      await this.repush(s, earlier, fromSocket);
      return { message: messageView(earlier), duplicate: true };
    }
    const now = await this.sessions.visible(actor, s.id);
    this.facts.set(actor.tenantId, idOrCode, now);
    this.assertMaySend(actor, now);
    throw errors.conflict('SESSION_CHANGED', 'The session changed while the message was sent; send it again.');
  }

  /**
   * A retry usually means the first answer was lost, maybe with its pushes (a process that died
   * between storing and pushing): push it again to whoever the session has now. Clients drop a
   * `seq` they already have (docs/protocol.md §1).
   */
  private async repush(s: SessionFacts, m: MessageRow, fromSocket?: string): Promise<void> {
    const now = await findRecord(this.d.knex, s.tenant_id, s.id);
    if (now) this.d.notifier.message(now, m, { except: fromSocket });
  }

  private published(s: SessionFacts, m: MessageRow, fromSocket?: string): void {
    this.d.notifier.message(s, m, { except: fromSocket });
    void this.d.hooks.action('conversations.message.stored', { tenantId: s.tenant_id }, {
      message: messageView(m), visitorId: s.visitor_id, agentId: s.agent_id, visibility: m.visibility,
    });
  }

  /** Messages after `afterSeq`, in order; visitors get only what is visible to them. */
  async sync(actor: Actor, idOrCode: string, afterSeq: number, limit = 100): Promise<SyncResult> {
    const s = await this.sessions.visible(actor, idOrCode);
    // `s.last_seq` was read first: every seq up to it is committed, so none can be skipped.
    const rows = await page(this.d.knex, s.id, { afterSeq, limit: limit + 1, visitorOnly: actor.kind === 'visitor' });
    const hasMore = rows.length > limit;
    const messages = rows.slice(0, limit);
    const last = messages.length ? messages[messages.length - 1].seq : afterSeq;
    return { messages: messages.map(messageView), lastSeq: hasMore ? last : Math.max(last, s.last_seq), hasMore };
  }

  /** Older messages, before `beforeSeq`, for scrolling back. */
  async before(actor: Actor, idOrCode: string, beforeSeq: number, limit = 100): Promise<SyncResult> {
    const s = await this.sessions.visible(actor, idOrCode);
    const rows = await page(this.d.knex, s.id, { beforeSeq, limit: limit + 1, visitorOnly: actor.kind === 'visitor' });
    const hasMore = rows.length > limit;
    const messages = hasMore ? rows.slice(1) : rows;
    return { messages: messages.map(messageView), lastSeq: messages.length ? messages[messages.length - 1].seq : 0, hasMore };
  }

  async typing(actor: Actor, idOrCode: string, typing: boolean): Promise<Record<string, never>> {
    const s = await this.sessions.visible(actor, idOrCode);
    if (actor.kind === 'member' && s.agent_id !== actor.memberId) throw notYours();
    if (!closed(s)) this.d.notifier.typing(s, actor.kind === 'visitor' ? 'visitor' : 'agent', typing);
    return {};
  }

  /** A system message from a plugin (e.g. a satisfaction invitation); `agents` hides it from the visitor. */
  async postSystem(tenantId: string, sessionId: string, body: Record<string, unknown>, visibility: Visibility): Promise<MessageView> {
    assertNoNul(body, 'body');
    const s = await findRecord(this.d.knex, tenantId, sessionId);
    if (!s) throw sessionNotFound();
    const out = await this.d.knex.transaction(async (trx) => {
      const locked = (await lockSession(trx, tenantId, s.id))!;
      return { session: locked, message: await systemMessage(trx, locked, body, this.d.eventsFrom, visibility) };
    });
    this.published(out.session, out.message);
    return messageView(out.message);
  }
}
