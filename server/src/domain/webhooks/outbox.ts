// Putting events into the durable queue: one delivery per event and matching webhook, with the
// next number of its stream (article × webhook), handed out by the deliveries' primary key.
// When `enqueue` resolves the delivery and its queue entry are stored: the lifecycle awaits it
// before a change is answered, so nothing acknowledged is lost to a crash.
import { randomUUID } from 'node:crypto';
import { isDuplicateKey } from '../../store/connection';
import type { WebhookModels } from '../../store/webhook-models';
import type { SiteRegistry } from '../../trust/sites';
import type { WebhookConfig } from '../../trust/webhook-targets';
import { KeyedQueue } from '../keyed-queue';
import type { WebhookEvent } from './events';
import { deliveryKey, streamKey } from './keys';

/** Streams whose last number this node remembers (a hint; the primary key decides). */
const REMEMBERED_STREAMS = 10_000;
/** Writes of one delivery are tried this many times before the failure is reported. */
const WRITE_TRIES = 3;

export class WebhookOutbox {
  private readonly serial = new KeyedQueue();
  private readonly lastN = new Map<string, number>();

  constructor(
    private readonly models: WebhookModels,
    private readonly sites: SiteRegistry,
    private readonly firstDelayMs: number,
    /** Told after each stored delivery (wakes this node's dispatcher). */
    private readonly enqueued: () => void,
  ) {}

  /** The site's webhooks that take this event's type. */
  targets(ev: Pick<WebhookEvent, 'site' | 'type'>): WebhookConfig[] {
    return (this.sites.get(ev.site)?.webhooks ?? []).filter((w) => w.events.includes(ev.type));
  }

  /** Stores one delivery per webhook that takes the event; resolves when all are stored. */
  async enqueue(ev: WebhookEvent): Promise<number> {
    const hooks = this.targets(ev);
    if (hooks.length === 0) return 0;
    const at = new Date();
    await Promise.all(hooks.map((h) => this.store(h.id, ev, at)));
    this.enqueued();
    return hooks.length;
  }

  private store(hook: string, ev: WebhookEvent, at: Date): Promise<void> {
    const stream = streamKey(ev.site, hook, ev.article);
    // One enqueue at a time per stream on this node, so this node's numbers follow its order.
    return this.serial.run(stream, async () => {
      for (let tries = 1; ; tries++) {
        try {
          await this.storeOnce(stream, hook, ev, at);
          return;
        } catch (err) {
          if (tries >= WRITE_TRIES) throw err;
          await new Promise((r) => setTimeout(r, 50 * tries));
        }
      }
    });
  }

  private async storeOnce(stream: string, hook: string, ev: WebhookEvent, at: Date): Promise<void> {
    const { Delivery, Queue, Stream } = this.models;
    const msgId = `msg_${randomUUID().replaceAll('-', '')}`;
    const body = JSON.stringify({ type: ev.type, timestamp: at.toISOString(), data: ev.data });
    let n = (this.lastN.get(stream) ?? (await Stream.findOne({ _id: stream }).lean())?.last ?? 0) + 1;
    for (;;) {
      try {
        await Delivery.create({ _id: deliveryKey(stream, n), site: ev.site, hook, article: ev.article, n, msgId, type: ev.type, body, state: 'pending', attempts: 0, createdAt: at });
        break;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Another node took n: start after the last number it noted, or try the next one.
        const hint = (await Stream.findOne({ _id: stream }).lean())?.last ?? 0;
        n = Math.max(n + 1, hint + 1);
      }
    }
    const _id = deliveryKey(stream, n);
    try {
      await Queue.create({ _id, site: ev.site, hook, article: ev.article, n, attempts: 0, scheduleFrom: 0, nextAt: new Date(at.getTime() + this.firstDelayMs) });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    this.remember(stream, n);
    await Stream.updateOne({ _id: stream }, { $max: { last: n } }, { upsert: true }).catch((err) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }

  private remember(stream: string, n: number): void {
    if (this.lastN.size >= REMEMBERED_STREAMS && !this.lastN.has(stream)) this.lastN.delete(this.lastN.keys().next().value!);
    this.lastN.set(stream, Math.max(n, this.lastN.get(stream) ?? 0));
  }

  drain(): Promise<void> {
    return this.serial.drain();
  }
}
