// The Prometheus metrics of one node, served at GET /metrics. Each app builds its own
// registry (several apps may share a process in tests). Other modules report through the
// objects here: the domain through `domainObserver`, the fan-out through `emitted`, rate
// limits through `rateLimited`, the database and Redis connections through their counters.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DomainObserver } from './domain/observer';
import type { ThreadCacheObserver } from './domain/threads';

export interface Metrics {
  registry: Registry;
  /** Sockets connected to this node (set on each scrape from `connectedSockets`). */
  sockets: Gauge;
  /** Events this node emitted to rooms, by event name; `rate()` of it is events per second. */
  emitted: Counter<'event'>;
  /** Seconds from receiving a post to its answer, by outcome. */
  postSeconds: Histogram<'outcome'>;
  /** Requests refused by a rate limit, by limit (e.g. `post`, `event`, `connect`). */
  rateLimited: Counter<'limit'>;
  /** Moderation pipeline decisions on new and edited comments, by status and reason kind. */
  pipelineDecisions: Counter<'status' | 'reason' | 'edit'>;
  /** Database trouble seen by the driver, by kind. */
  databaseErrors: Counter<'kind'>;
  /** Errors reported by Redis clients, by client. */
  redisErrors: Counter<'client'>;
  /** 1 while the shared Redis connection is ready, 0 otherwise; absent without REDIS_URL. */
  redisUp: Gauge;
  domainObserver: DomainObserver;
  /** Reads of the thread read model: hits, misses (built), rebuilds by reason. */
  threadReads: Counter<'outcome'>;
  threadObserver: ThreadCacheObserver;
  /** Thread snapshots read by nodes that did not hold the thread (hit, miss, stale), and written. */
  snapshotReads: Counter<'result'>;
  snapshotWrites: Counter<'result'>;
  /** Webhook attempts by site, webhook and result (delivered, failed, disabled: failed past the schedule). */
  webhookAttempts: Counter<'site' | 'webhook' | 'result'>;
  /** Reports the read model's bytes and articles on each scrape. */
  watchThreads(stats: () => { bytes: number; articles: number }): void;
}

export interface MetricsSources {
  /** Sockets connected to this node now. */
  connectedSockets(): number;
}

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const sockets = new Gauge({
    name: 'charcha_connected_sockets',
    help: 'Socket.IO connections open on this node',
    registers,
    collect() {
      this.set(sources.connectedSockets());
    },
  });
  const emitted = new Counter({
    name: 'charcha_events_emitted_total',
    help: 'Events emitted to rooms by this node, by event name',
    labelNames: ['event'] as const,
    registers,
  });
  const postSeconds = new Histogram({
    name: 'charcha_post_duration_seconds',
    help: 'Time to handle a comment post, from the transport call to the answer, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const rateLimited = new Counter({
    name: 'charcha_rate_limited_total',
    help: 'Requests and events refused by a rate limit, by limit',
    labelNames: ['limit'] as const,
    registers,
  });
  const pipelineDecisions = new Counter({
    name: 'charcha_pipeline_decisions_total',
    help: 'Moderation pipeline decisions, by status and the kind of the first reason',
    labelNames: ['status', 'reason', 'edit'] as const,
    registers,
  });
  const databaseErrors = new Counter({
    name: 'charcha_database_errors_total',
    help: 'Database trouble seen by the driver: failed heartbeats, cleared pools, connection errors',
    labelNames: ['kind'] as const,
    registers,
  });
  const redisErrors = new Counter({
    name: 'charcha_redis_errors_total',
    help: 'Errors reported by Redis clients, by client',
    labelNames: ['client'] as const,
    registers,
  });
  const redisUp = new Gauge({
    name: 'charcha_redis_up',
    help: '1 while the shared Redis connection is ready',
    registers,
  });

  const domainObserver: DomainObserver = {
    posted(ms, outcome) {
      postSeconds.observe({ outcome }, ms / 1000);
    },
    decided(status, reasons, edit) {
      // Reasons look like `links:3>1`: the part before the colon is the bounded label.
      const reason = reasons[0]?.split(':')[0] ?? 'none';
      pipelineDecisions.inc({ status, reason, edit: String(edit) });
    },
  };

  const threadReads = new Counter({
    name: 'charcha_thread_reads_total',
    help: 'Reads of the thread read model: hit (held), miss (built from the database), rebuild_gap, rebuild_age',
    labelNames: ['outcome'] as const,
    registers,
  });
  const snapshotReads = new Counter({
    name: 'charcha_thread_snapshot_reads_total',
    help: 'Thread snapshots looked up for threads not held: hit (used), miss (none), stale (other version, or events after it not kept)',
    labelNames: ['result'] as const,
    registers,
  });
  const snapshotWrites = new Counter({
    name: 'charcha_thread_snapshot_writes_total',
    help: 'Thread snapshot writes: written, older (a newer one was stored), busy (another node writing; retried), failed',
    labelNames: ['result'] as const,
    registers,
  });
  const webhookAttempts = new Counter({
    name: 'charcha_webhook_attempts_total',
    help: 'Webhook delivery attempts made by this node: delivered, failed (retried later), disabled (failed past the retry schedule)',
    labelNames: ['site', 'webhook', 'result'] as const,
    registers,
  });
  const threadObserver: ThreadCacheObserver = {
    hit: () => threadReads.inc({ outcome: 'hit' }),
    miss: () => threadReads.inc({ outcome: 'miss' }),
    rebuild: (reason) => threadReads.inc({ outcome: `rebuild_${reason}` }),
    snapshotRead: (result) => snapshotReads.inc({ result }),
    snapshotWritten: (result) => snapshotWrites.inc({ result }),
  };
  let threadStats = () => ({ bytes: 0, articles: 0 });
  new Gauge({
    name: 'charcha_thread_cache_bytes',
    help: 'Estimated bytes of the threads this node holds for readers',
    registers,
    collect() {
      this.set(threadStats().bytes);
    },
  });
  new Gauge({
    name: 'charcha_thread_cache_articles',
    help: 'Articles whose thread this node holds for readers',
    registers,
    collect() {
      this.set(threadStats().articles);
    },
  });
  const watchThreads = (stats: () => { bytes: number; articles: number }) => {
    threadStats = stats;
  };

  return { registry, sockets, emitted, postSeconds, rateLimited, pipelineDecisions, databaseErrors, redisErrors, redisUp, domainObserver, threadReads, threadObserver, snapshotReads, snapshotWrites, webhookAttempts, watchThreads };
}

/** The driver events that mean the database is in trouble. */
const DATABASE_TROUBLE = ['serverHeartbeatFailed', 'connectionPoolCleared'] as const;

interface Emitter {
  on(event: string, listener: () => void): unknown;
}

/** Counts database trouble from the mongoose connection and its driver client. */
export function watchDatabase(conn: Emitter & { getClient(): Emitter }, metrics: Metrics): void {
  conn.on('error', () => metrics.databaseErrors.inc({ kind: 'connection' }));
  conn.on('disconnected', () => metrics.databaseErrors.inc({ kind: 'disconnected' }));
  const client = conn.getClient();
  for (const kind of DATABASE_TROUBLE) client.on(kind, () => metrics.databaseErrors.inc({ kind }));
}
