// Sending what the queue holds, from every node at once: each pass reads the queue (only what
// is still to deliver), takes the first undelivered event of each article × webhook whose time
// has come, claims that attempt with an insert-only claim (one node wins it), sends, and
// records the outcome. An article's next event waits until the one before it is delivered
// (or given up), so a receiver sees each article's events in order. docs/WEBHOOKS.md.
import { isDuplicateKey } from '../../store/connection';
import { trusted } from '../../store/models';
import type { WebhookDeliveryDoc, WebhookModels, WebhookQueueDoc } from '../../store/webhook-models';
import type { SiteRegistry } from '../../trust/sites';
import type { WebhookConfig } from '../../trust/webhook-targets';
import { claimKey, deliveryKey, hookKey, streamKey } from './keys';
import { sendDelivery, type AttemptResult } from './send';

export interface DispatchSettings {
  /** Delay before each attempt (the first, after the event; each next one, after a failure). */
  retryMs: number[];
  timeoutMs: number;
  /** Longest wait between two reads of the queue (other nodes' events are seen within it). */
  pollMs?: number;
  /** Attempts in flight at once on this node. */
  concurrency?: number;
  /** Told of every attempt's outcome (metrics, logs, benchmarks). */
  attempted?: (hook: WebhookConfig, outcome: AttemptResult & { site: string; attempt: number; exhausted: boolean }) => void;
}

/** A delivery whose queue entry is missing this long after it was stored lost its writer. */
const ORPHAN_MS = 60_000;
const DEFAULT_POLL_MS = 1000;

export class WebhookDispatcher {
  private readonly inFlight = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private passing: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private readonly pollMs: number;
  private readonly concurrency: number;
  /** A claim older than this whose attempt was never recorded belongs to a node that died. */
  private readonly staleClaimMs: number;

  constructor(
    private readonly models: WebhookModels,
    private readonly sites: SiteRegistry,
    private readonly settings: DispatchSettings,
    private readonly onError: (err: unknown) => void,
  ) {
    this.pollMs = settings.pollMs ?? DEFAULT_POLL_MS;
    this.concurrency = settings.concurrency ?? 8;
    this.staleClaimMs = settings.timeoutMs + 15_000;
  }

  start(): void {
    if (!this.closed) this.wake();
  }

  /** Runs a pass now (or right after the running one). */
  wake(): void {
    if (this.closed) return;
    if (this.passing) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.passing = (async () => {
      let wait = this.pollMs;
      try {
        do {
          this.again = false;
          wait = await this.pass();
        } while (this.again && !this.closed);
      } catch (err) {
        this.onError(err);
      } finally {
        this.passing = null;
        if (!this.closed) {
          this.timer = setTimeout(() => this.wake(), Math.max(10, Math.min(wait, this.pollMs)));
          this.timer.unref();
        }
      }
    })();
  }

  /** One read of the queue; starts what is due; answers how long until the next is due. */
  private async pass(): Promise<number> {
    const [entries, states] = await Promise.all([this.models.Queue.find({}).lean<WebhookQueueDoc[]>(), this.models.State.find({}).lean()]);
    const disabled = new Set(states.filter((s) => s.disabled).map((s) => s._id));
    const heads = new Map<string, WebhookQueueDoc>();
    for (const e of entries) {
      const key = streamKey(e.site, e.hook, e.article);
      const head = heads.get(key);
      if (!head || e.n < head.n) heads.set(key, e);
    }
    const now = Date.now();
    let next = this.pollMs;
    for (const [stream, head] of heads) {
      if (this.inFlight.has(stream) || disabled.has(hookKey(head.site, head.hook))) continue;
      const hook = this.sites.get(head.site)?.webhooks.find((w) => w.id === head.hook);
      if (!hook) continue; // no longer configured: kept until it is again
      const due = head.nextAt.getTime() - now;
      if (due > 0) {
        next = Math.min(next, due);
        continue;
      }
      if (this.inFlight.size >= this.concurrency) break; // each stream that ends wakes a pass
      const work = this.runStream(stream, head, hook)
        .catch((err) => this.onError(err))
        .finally(() => {
          this.inFlight.delete(stream);
          this.wake();
        });
      this.inFlight.set(stream, work);
    }
    return next;
  }

  /**
   * Attempts the stream's head and, while it is delivered, the stream's next events in turn
   * (each one `_id` read away), so draining a backlog does not read the queue once per event.
   */
  private async runStream(stream: string, head: WebhookQueueDoc, hook: WebhookConfig): Promise<void> {
    let entry: WebhookQueueDoc | null = head;
    while (entry && !this.closed && (await this.attempt(stream, entry, hook))) {
      entry = await this.models.Queue.findOne({ _id: deliveryKey(stream, entry.n + 1) }).lean<WebhookQueueDoc>();
      if (entry && entry.nextAt.getTime() > Date.now()) break;
    }
  }

  /** One attempt of the entry, if this node wins it; true when it was delivered. */
  private async attempt(stream: string, entry: WebhookQueueDoc, hook: WebhookConfig): Promise<boolean> {
    const { Delivery, Queue } = this.models;
    if (!(await this.previousSettled(stream, entry.n))) return false;
    const attempt = entry.attempts + 1;
    if (!(await this.claim(entry._id, attempt))) return false;
    // Still at this attempt now that it is ours? (Another node may have made it meanwhile.)
    const current = await Queue.findOne({ _id: entry._id }).lean<WebhookQueueDoc>();
    if (!current || current.attempts !== entry.attempts) return false;
    const delivery = await Delivery.findOne({ _id: entry._id }).lean();
    if (!delivery) {
      await Queue.deleteOne({ _id: entry._id });
      return false;
    }
    const result = await sendDelivery(hook, delivery.msgId, delivery.body, this.settings.timeoutMs);
    const at = new Date();
    const record = { attempts: attempt, lastStatus: result.status, lastError: result.error, lastAttemptAt: at };
    if (result.ok) {
      await Delivery.updateOne({ _id: entry._id }, { $set: { ...record, state: 'delivered', deliveredAt: at } });
      await Queue.deleteOne({ _id: entry._id });
      this.settings.attempted?.(hook, { ...result, site: entry.site, attempt, exhausted: false });
      return true;
    }
    const made = attempt - (current.scheduleFrom ?? 0);
    const exhausted = made >= this.settings.retryMs.length;
    if (exhausted) {
      // Past the schedule: the webhook is disabled (first, so that no pass takes the entry
      // again), its queue kept for when it is re-enabled.
      await this.disable(entry.site, entry.hook, `${made} attempts failed; the last: ${result.error ?? 'no answer'}`);
      await Delivery.updateOne({ _id: entry._id }, { $set: { ...record, state: 'failed' } });
      await Queue.updateOne({ _id: entry._id }, { $set: { attempts: attempt, nextAt: at } });
    } else {
      await Delivery.updateOne({ _id: entry._id }, { $set: record });
      await Queue.updateOne({ _id: entry._id }, { $set: { attempts: attempt, nextAt: new Date(at.getTime() + this.settings.retryMs[made]!) } });
    }
    this.settings.attempted?.(hook, { ...result, site: entry.site, attempt, exhausted });
    return false;
  }

  /**
   * Whether the stream's event before `n` is delivered or given up (or swept). One that is
   * stored but lost its queue entry (its writer died in between) gets the entry back.
   */
  private async previousSettled(stream: string, n: number): Promise<boolean> {
    if (n <= 1) return true;
    const prevId = deliveryKey(stream, n - 1);
    const prev = await this.models.Delivery.findOne({ _id: prevId }).lean();
    if (!prev || prev.state !== 'pending') return true;
    if (Date.now() - prev.createdAt.getTime() > ORPHAN_MS && !(await this.models.Queue.findOne({ _id: prevId }).lean())) await this.requeue(prev);
    return false;
  }

  /** Gives a stored delivery whose queue entry is missing (its writer died in between) the entry back. */
  private async requeue(d: Pick<WebhookDeliveryDoc, '_id' | 'site' | 'hook' | 'article' | 'n' | 'attempts'>): Promise<void> {
    await this.models.Queue.create({ _id: d._id, site: d.site, hook: d.hook, article: d.article, n: d.n, attempts: d.attempts, scheduleFrom: 0, nextAt: new Date() }).catch((err) => {
      if (!isDuplicateKey(err)) throw err;
    });
    this.again = true;
  }

  /** Claims attempt `attempt` of a delivery: true when this node inserted the claim. */
  private async claim(delivery: string, attempt: number): Promise<boolean> {
    for (let generation = 0; generation < 1000; generation++) {
      const _id = claimKey(delivery, attempt, generation);
      try {
        await this.models.Claim.create({ _id, at: new Date() });
        return true;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const held = await this.models.Claim.findOne({ _id }).lean();
        // Young: its node is on it. Old: its node died mid-attempt (or recorded it, which the
        // read after a won claim sees), and the next generation is up for claiming.
        if (!held || Date.now() - held.at.getTime() < this.staleClaimMs) return false;
      }
    }
    return false;
  }

  private async disable(site: string, hook: string, reason: string): Promise<void> {
    await this.models.State.updateOne(
      { _id: hookKey(site, hook) },
      { $set: { site, hook, disabled: true, disabledAt: new Date(), reason } },
      { upsert: true },
    ).catch((err) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }

  /**
   * Deletes claims older than a day and delivered deliveries older than `keepMs`, and gives
   * back their queue entry to pending deliveries that lost it (their writer died between the
   * two inserts) and that no later event of their article brought back.
   */
  async sweep(keepMs: number, now = Date.now()): Promise<number> {
    await this.models.Claim.deleteMany({ at: trusted({ $lt: new Date(now - 24 * 3600 * 1000) }) });
    await this.models.Delivery.deleteMany({ state: 'delivered', createdAt: trusted({ $lt: new Date(now - keepMs) }) });
    const waiting = await this.models.Delivery.find({ state: 'pending', createdAt: trusted({ $lt: new Date(now - ORPHAN_MS) }) }, { body: 0 })
      .limit(1000)
      .lean<WebhookDeliveryDoc[]>();
    let requeued = 0;
    for (const d of waiting) {
      if (await this.models.Queue.findOne({ _id: d._id }, { _id: 1 }).lean()) continue;
      await this.requeue(d);
      requeued++;
    }
    if (requeued > 0) this.wake();
    return requeued;
  }

  /** Stops passes and waits for the attempts in flight (each ends by its timeout). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.passing;
    await Promise.all([...this.inFlight.values()]);
  }
}
