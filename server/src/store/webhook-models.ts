// The webhook collections (docs/DATA.md, "webhook_*"). Every hot read is by `_id`; claims are
// insert-only documents whose primary key arbitrates between nodes, so that the design is
// correct on FerretDB (whose updates are not atomic across connections) as on MongoDB.
import { Schema, type Connection, type Model } from 'mongoose';

const opts = { versionKey: false as const, strict: 'throw' as const, minimize: false };

/**
 * One event for one webhook: `_id` is `<site>␁<hook>␁<article>␁<n>`, n counting the events of
 * that article for that webhook (1, 2, ...), so the primary key hands out each n once and the
 * previous delivery of an article is one `_id` read away. `article` is '' for site events.
 */
export interface WebhookDeliveryDoc {
  _id: string;
  site: string;
  hook: string;
  article: string;
  n: number;
  /** The `webhook-id` header: the same on every attempt. */
  msgId: string;
  type: string;
  /** The exact JSON body sent (and signed) on every attempt. */
  body: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
}

const DeliverySchema = new Schema<WebhookDeliveryDoc>(
  {
    _id: { type: String, required: true },
    site: { type: String, required: true },
    hook: { type: String, required: true },
    article: { type: String, default: '' },
    n: { type: Number, required: true },
    msgId: { type: String, required: true },
    type: { type: String, required: true },
    body: { type: String, required: true },
    state: { type: String, required: true },
    attempts: { type: Number, default: 0 },
    lastStatus: { type: Number, default: null },
    lastError: { type: String, default: null },
    createdAt: { type: Date, required: true },
    lastAttemptAt: { type: Date, default: null },
    deliveredAt: { type: Date, default: null },
  },
  opts,
);
// The admin list (recent deliveries of one webhook) and the sweep of old ones.
DeliverySchema.index({ site: 1, hook: 1, createdAt: -1 });

/**
 * The work still to do: one small document per undelivered delivery (same `_id`), removed once
 * it is delivered. The dispatcher reads this whole collection on each pass (it holds only
 * what is pending), never the deliveries.
 */
export interface WebhookQueueDoc {
  _id: string;
  site: string;
  hook: string;
  article: string;
  n: number;
  /** Attempts made so far, and the one the retry schedule counts from (moved by re-enabling). */
  attempts: number;
  scheduleFrom: number;
  nextAt: Date;
}

const QueueSchema = new Schema<WebhookQueueDoc>(
  {
    _id: { type: String, required: true },
    site: { type: String, required: true },
    hook: { type: String, required: true },
    article: { type: String, default: '' },
    n: { type: Number, required: true },
    attempts: { type: Number, default: 0 },
    scheduleFrom: { type: Number, default: 0 },
    nextAt: { type: Date, required: true },
  },
  opts,
);

/**
 * A node's claim of one attempt: `_id` `<delivery>#<attempt>#<generation>`. Insert-only: of the
 * nodes that try, one inserts and sends. A claim older than the request timeout (and a margin)
 * whose delivery still waits at that attempt belongs to a node that died; the next generation
 * is claimed the same way.
 */
export interface WebhookClaimDoc {
  _id: string;
  at: Date;
}

const ClaimSchema = new Schema<WebhookClaimDoc>({ _id: { type: String, required: true }, at: { type: Date, required: true } }, opts);
// The sweep of old claims.
ClaimSchema.index({ at: 1 });

/** The last n handed out per article and webhook (`_id` `<site>␁<hook>␁<article>`): a hint where to start. */
export interface WebhookStreamDoc {
  _id: string;
  last: number;
}

const StreamSchema = new Schema<WebhookStreamDoc>({ _id: { type: String, required: true }, last: { type: Number, required: true } }, opts);

/** A webhook that failed past its retry schedule (`_id` `<site>␁<hook>`); gone when re-enabled. */
export interface WebhookStateDoc {
  _id: string;
  site: string;
  hook: string;
  disabled: boolean;
  disabledAt: Date | null;
  reason: string | null;
}

const StateSchema = new Schema<WebhookStateDoc>(
  {
    _id: { type: String, required: true },
    site: { type: String, required: true },
    hook: { type: String, required: true },
    disabled: { type: Boolean, required: true },
    disabledAt: { type: Date, default: null },
    reason: { type: String, default: null },
  },
  opts,
);

/** One `moderation.backlog` per site and window: `_id` `<site>␁<window number>`. */
export interface WebhookBacklogDoc {
  _id: string;
  at: Date;
}

const BacklogSchema = new Schema<WebhookBacklogDoc>({ _id: { type: String, required: true }, at: { type: Date, required: true } }, opts);

export interface WebhookModels {
  Delivery: Model<WebhookDeliveryDoc>;
  Queue: Model<WebhookQueueDoc>;
  Claim: Model<WebhookClaimDoc>;
  Stream: Model<WebhookStreamDoc>;
  State: Model<WebhookStateDoc>;
  Backlog: Model<WebhookBacklogDoc>;
}

export function buildWebhookModels(conn: Connection): WebhookModels {
  return {
    Delivery: conn.model<WebhookDeliveryDoc>('WebhookDelivery', DeliverySchema, 'webhook_deliveries'),
    Queue: conn.model<WebhookQueueDoc>('WebhookQueue', QueueSchema, 'webhook_queue'),
    Claim: conn.model<WebhookClaimDoc>('WebhookClaim', ClaimSchema, 'webhook_claims'),
    Stream: conn.model<WebhookStreamDoc>('WebhookStream', StreamSchema, 'webhook_streams'),
    State: conn.model<WebhookStateDoc>('WebhookState', StateSchema, 'webhook_states'),
    Backlog: conn.model<WebhookBacklogDoc>('WebhookBacklog', BacklogSchema, 'webhook_backlog'),
  };
}
