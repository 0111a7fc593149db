// Reactions on comments and articles: who may react, with which kinds, and the live totals.
// Writes go through per-target batches; the written targets are then coalesced per article:
// at most one pass per article every `intervalMs` reads the totals of every target written
// since the last pass and appends their `reaction:updated` events in one batch, so a crowd
// reacting to many comments of one article costs the article's event log one append a pass,
// and a post waits behind at most one. Once the article has been quiet for `settleMs`, the
// targets written are recounted from the reaction documents (the repair that makes totals
// exact whatever the concurrency across nodes).
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
  /** Least time between two passes over one article's written targets on this node. */
  intervalMs: number;
  /** Quiet time after which a target is recounted from its reaction documents. */
  settleMs: number;
}

export const DEFAULT_TIMING: ReactionTiming = { intervalMs: 250, settleMs: 1000 };

/** An article whose targets were written: those not yet sent, and those sent since the last recount. */
interface Watched {
  site: string;
  article: string;
  unsent: Map<string, LoadedTarget>;
  unsettled: Map<string, LoadedTarget>;
}

export class ReactionService {
  readonly counters: ReactionCounters;
  private readonly batches: ReactionBatches;
  private readonly live: Coalescer<Watched>;
  private readonly watched = new Map<string, Watched>();
  /** The totals this node last sent for a target, until the target is recounted. */
  private readonly lastSent = new Map<string, ReactionTotals>();

  constructor(
    models: Models,
    private readonly events: EventLog,
    private readonly fanout: Fanout,
    onError: (err: unknown) => void,
    timing: ReactionTiming = DEFAULT_TIMING,
  ) {
    this.counters = new ReactionCounters(models);
    this.batches = new ReactionBatches(models, this.counters, (target) => this.written(target));
    this.live = new Coalescer<Watched>({
      intervalMs: timing.intervalMs,
      settleMs: timing.settleMs,
      flush: (_key, w) => this.flush(w),
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

  private written(target: LoadedTarget): void {
    const key = `${target.site}\u0000${target.article}`;
    let w = this.watched.get(key);
    if (!w) this.watched.set(key, (w = { site: target.site, article: target.article, unsent: new Map(), unsettled: new Map() }));
    w.unsent.set(target.key, target);
    this.live.touch(key, w);
  }

  /** Sends the current totals of the targets written since the last pass. */
  private async flush(w: Watched): Promise<void> {
    const targets = [...w.unsent.values()];
    w.unsent.clear();
    for (const t of targets) w.unsettled.set(t.key, t);
    await this.send(w, await Promise.all(targets.map(async (t) => [t, await this.counters.totals(t)] as const)));
  }

  /** Recounts the targets sent since the last recount, and sends what the recount changed. */
  private async settle(key: string, w: Watched): Promise<void> {
    const targets = [...w.unsettled.values()];
    w.unsettled.clear();
    try {
      await this.send(w, await Promise.all(targets.map(async (t) => [t, await this.counters.recount(t)] as const)));
    } finally {
      for (const t of targets) this.lastSent.delete(liveKey(t));
      if (w.unsent.size === 0 && w.unsettled.size === 0 && this.watched.get(key) === w) this.watched.delete(key);
    }
  }

  private async send(w: Watched, totals: readonly (readonly [LoadedTarget, ReactionTotals])[]): Promise<void> {
    const changed = totals.filter(([t, reactions]) => !sameTotals(this.lastSent.get(liveKey(t)), reactions));
    const events = await this.events.appendMany(
      w.site,
      w.article,
      changed.map(([t, reactions]) => ({ type: 'reaction:updated' as const, payload: { target: t.wire, reactions } })),
    );
    changed.forEach(([t, reactions], i) => {
      this.lastSent.set(liveKey(t), reactions);
      this.fanout.toArticle(w.site, events[i]!);
    });
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
