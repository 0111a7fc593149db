// Reactions on comments and articles: who may react, with which kinds, and the live totals.
// Writes go through per-target batches; every written target is then coalesced into at most
// one `reaction:updated` per `intervalMs` carrying totals read from the database, and, once
// the target has been quiet for `settleMs`, recounted from the reaction documents (the
// repair that makes totals exact whatever the concurrency across nodes).
import type { ReactionState, ReactionTarget, ReactionTotals } from '../../../client-sdk/src/protocol';
import type { Models } from '../store/models';
import { asGuest } from '../trust/auth';
import type { Actor } from './actor';
import { checkArticleId } from './article-ids';
import { Coalescer } from './coalesce';
import { DomainError, badRequest } from './errors';
import type { EventLog } from './events';
import type { Fanout } from './fanout';
import { ReactionBatches } from './reaction-batches';
import { ReactionCounters, sameTotals, targetKey, type LoadedTarget } from './reaction-counters';

export interface ReactionInput {
  target: ReactionTarget;
  kind: string;
  on: boolean;
  guest?: { name: string };
}

export interface ReactionTiming {
  /** Least time between two `reaction:updated` of one target from this node. */
  intervalMs: number;
  /** Quiet time after which a target is recounted from its reaction documents. */
  settleMs: number;
}

export const DEFAULT_TIMING: ReactionTiming = { intervalMs: 250, settleMs: 1000 };

interface Watched {
  target: LoadedTarget;
}

export class ReactionService {
  readonly counters: ReactionCounters;
  private readonly batches: ReactionBatches;
  private readonly live: Coalescer<Watched>;
  /** The totals this node last sent for a target, while the target is being coalesced. */
  private readonly lastSent = new Map<string, ReactionTotals>();

  constructor(
    models: Models,
    private readonly events: EventLog,
    private readonly fanout: Fanout,
    onError: (err: unknown) => void,
    timing: ReactionTiming = DEFAULT_TIMING,
  ) {
    this.counters = new ReactionCounters(models);
    this.batches = new ReactionBatches(models, this.counters, (target) => this.live.touch(liveKey(target), { target }));
    this.live = new Coalescer<Watched>({
      intervalMs: timing.intervalMs,
      settleMs: timing.settleMs,
      flush: (key, w) => this.flush(key, w),
      settle: (key, w) => this.settle(key, w),
      onError,
    });
  }

  /** Sets (`on`) or clears one reaction of the caller; idempotent either way. */
  async set(caller: Actor, input: ReactionInput): Promise<ReactionState> {
    const site = caller.site;
    if (!site.reactions.includes(input.kind)) {
      throw badRequest(`kind: "${input.kind}" is not a reaction of this site (${site.reactions.join(', ')})`);
    }
    if ('article' in input.target) checkArticleId(site, input.target.article);
    const actor = reactor(caller, input.guest);
    return this.batches.submit(site.id, input.target, targetKey(input.target), {
      userId: actor.userId!,
      kind: input.kind,
      on: input.on,
    });
  }

  /** Waits for queued writes, then stops the live updates. */
  async close(): Promise<void> {
    await this.batches.drain();
    await this.live.stop();
    this.lastSent.clear();
  }

  private async flush(key: string, { target }: Watched): Promise<void> {
    await this.send(key, target, await this.counters.totals(target));
  }

  private async settle(key: string, { target }: Watched): Promise<void> {
    try {
      await this.send(key, target, await this.counters.recount(target));
    } finally {
      this.lastSent.delete(key);
    }
  }

  private async send(key: string, target: LoadedTarget, reactions: ReactionTotals): Promise<void> {
    if (sameTotals(this.lastSent.get(key), reactions)) return;
    const event = await this.events.append(target.site, target.article, 'reaction:updated', { target: target.wire, reactions });
    this.lastSent.set(key, reactions);
    this.fanout.toArticle(target.site, event);
  }
}

const liveKey = (t: LoadedTarget) => `${t.site}\u0000${t.key}`;

/** Who reacts: a signed-in user, or a named guest where the site allows guests. */
function reactor(caller: Actor, guest: { name: string } | undefined): Actor {
  if (caller.userId && !caller.guest) return caller;
  if (caller.userId && caller.guest && caller.site.guests) return caller;
  if (guest) return asGuest(caller, guest.name);
  throw new DomainError(
    'unauthorized',
    caller.site.guests ? 'Sign in, or give a guest name, to react' : 'Sign in to react on this site',
  );
}
