// Signed webhooks per site: events from the comment lifecycle and the moderation queue, a
// durable queue in the database, and a dispatcher on every node. docs/WEBHOOKS.md.
import type { QueueCounts } from '../../../../client-sdk/src/protocol';
import { isDuplicateKey } from '../../store/connection';
import { trusted, type CommentDoc, type Models } from '../../store/models';
import type { WebhookModels, WebhookStateDoc } from '../../store/webhook-models';
import type { SiteRegistry } from '../../trust/sites';
import { notFound } from '../errors';
import type { Transition } from '../lifecycle';
import { WebhookDispatcher, type DispatchSettings } from './dispatcher';
import { eventsOf } from './events';
import { hookKey } from './keys';
import { WebhookOutbox } from './outbox';

export { WebhookDispatcher } from './dispatcher';
export { eventsOf, type WebhookEvent } from './events';
export { signedHeaders, sendDelivery } from './send';

/** While a site's queues stay past its backlogThreshold, one `moderation.backlog` per window. */
export const BACKLOG_WINDOW_MS = 15 * 60 * 1000;
/** Delivered deliveries are kept this long for the admin list, then swept. */
const KEEP_DELIVERED_MS = 7 * 24 * 3600 * 1000;
const RECENT_DELIVERIES = 20;

export class Webhooks {
  readonly outbox: WebhookOutbox;
  readonly dispatcher: WebhookDispatcher;

  constructor(
    private readonly models: Models,
    private readonly hooks: WebhookModels,
    private readonly sites: SiteRegistry,
    settings: DispatchSettings,
    private readonly onError: (err: unknown) => void,
  ) {
    this.dispatcher = new WebhookDispatcher(hooks, sites, settings, onError);
    this.outbox = new WebhookOutbox(hooks, sites, settings.retryMs[0] ?? 0, () => this.dispatcher.wake());
  }

  /** Whether any site has a webhook at all (without one, nothing runs). */
  get configured(): boolean {
    return this.sites.all().some((s) => s.webhooks.length > 0);
  }

  /**
   * The lifecycle's watcher: stores the transition's events before the change is answered.
   * A failure to store is reported, and does not undo the change.
   */
  readonly watch = async (t: Transition): Promise<void> => {
    if (!this.sites.get(t.site)?.webhooks.length) return;
    try {
      const events = await eventsOf(t, (site, id) => this.commentById(site, id));
      for (const ev of events) await this.outbox.enqueue(ev);
    } catch (err) {
      this.onError(err);
    }
  };

  /** Told the moderation queue's counts: past the site's threshold, one backlog event per window. */
  readonly counted = async (site: string, counts: QueueCounts): Promise<void> => {
    const config = this.sites.get(site);
    if (!config?.webhooks.some((w) => w.events.includes('moderation.backlog'))) return;
    const waiting = counts.pending + counts.flagged;
    if (waiting < config.backlogThreshold) return;
    const now = Date.now();
    try {
      await this.hooks.Backlog.create({ _id: `${site}\u0001${Math.floor(now / BACKLOG_WINDOW_MS)}`, at: new Date(now) });
    } catch (err) {
      if (isDuplicateKey(err)) return; // this window's event is already out
      this.onError(err);
      return;
    }
    await this.outbox
      .enqueue({ type: 'moderation.backlog', site, article: '', data: { site, pending: counts.pending, flagged: counts.flagged, waiting, threshold: config.backlogThreshold } })
      .catch(this.onError);
  };

  private async commentById(site: string, id: string): Promise<CommentDoc | null> {
    if (!/^[0-9a-f]{24}$/.test(id)) return null;
    const doc = await this.models.Comment.findOne({ _id: id }).lean<CommentDoc>();
    return doc && doc.site === site ? doc : null;
  }

  /** The admin list: each webhook of the site, its state, what waits, and its recent deliveries. */
  async list(site: string) {
    const config = this.sites.get(site);
    const hooks = config?.webhooks ?? [];
    const states = await this.states(site);
    return {
      webhooks: await Promise.all(
        hooks.map(async (h) => {
          const state = states.get(h.id);
          const [pending, recent] = await Promise.all([
            this.hooks.Queue.countDocuments({ site, hook: h.id }),
            this.hooks.Delivery.find({ site, hook: h.id }).sort({ createdAt: -1, n: -1 }).limit(RECENT_DELIVERIES).lean(),
          ]);
          return {
            id: h.id,
            url: h.url,
            events: h.events,
            allowPrivateTargets: h.allowPrivateTargets,
            disabled: state?.disabled ?? false,
            disabledAt: state?.disabledAt?.toISOString() ?? null,
            disabledReason: state?.reason ?? null,
            pending,
            deliveries: recent.map((d) => ({
              id: d.msgId,
              type: d.type,
              article: d.article || null,
              state: d.state,
              attempts: d.attempts,
              lastStatus: d.lastStatus,
              lastError: d.lastError,
              createdAt: d.createdAt.toISOString(),
              lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
              deliveredAt: d.deliveredAt?.toISOString() ?? null,
            })),
          };
        }),
      ),
    };
  }

  /** What moderators see: which webhooks are disabled (the console's banner), by host only. */
  async summary(site: string) {
    const states = await this.states(site);
    return {
      webhooks: (this.sites.get(site)?.webhooks ?? []).map((h) => {
        const state = states.get(h.id);
        return { id: h.id, host: new URL(h.url).host, disabled: state?.disabled ?? false, disabledAt: state?.disabledAt?.toISOString() ?? null, reason: state?.reason ?? null };
      }),
    };
  }

  /** Re-enables a disabled webhook: its waiting deliveries start a new retry schedule now. */
  async enable(site: string, id: string): Promise<{ id: string; disabled: false; resumed: number }> {
    if (!this.sites.get(site)?.webhooks.some((h) => h.id === id)) throw notFound('No such webhook');
    await this.hooks.State.deleteOne({ _id: hookKey(site, id) });
    const waiting = await this.hooks.Queue.find({ site, hook: id }).lean();
    const now = new Date();
    for (const e of waiting) {
      await this.hooks.Queue.updateOne({ _id: e._id }, { $set: { scheduleFrom: e.attempts, nextAt: now } });
      await this.hooks.Delivery.updateOne({ _id: e._id, state: 'failed' }, { $set: { state: 'pending' } });
    }
    this.dispatcher.wake();
    return { id, disabled: false, resumed: waiting.length };
  }

  private async states(site: string): Promise<Map<string, WebhookStateDoc>> {
    const ids = (this.sites.get(site)?.webhooks ?? []).map((h) => hookKey(site, h.id));
    if (ids.length === 0) return new Map();
    const docs = await this.hooks.State.find({ _id: trusted({ $in: ids }) }).lean<WebhookStateDoc[]>();
    return new Map(docs.map((d) => [d.hook, d]));
  }

  sweep(): Promise<number> {
    return this.dispatcher.sweep(KEEP_DELIVERED_MS);
  }

  async close(): Promise<void> {
    await this.outbox.drain();
    await this.dispatcher.close();
  }
}
