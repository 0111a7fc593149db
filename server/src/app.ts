// Wiring only: builds the services and hands them to the transports.
import { fileURLToPath } from 'node:url';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Server } from 'socket.io';
import { referenceRouter } from './api/router';
import type { Config } from './config';
import { CommentService } from './domain/comments';
import { DataRights } from './domain/data-rights';
import { EventLog, migrateEventKeys } from './domain/events';
import { ImportJobs } from './domain/imports';
import { CommentLifecycle } from './domain/lifecycle';
import { buildModeration } from './domain/moderation-services';
import { NotificationService } from './domain/notifications';
import { PresenceService } from './domain/presence';
import { ReactionService } from './domain/reactions';
import { SnapshotStore, ThreadReads } from './domain/threads';
import { Webhooks } from './domain/webhooks';
import { snapshotCollections } from './store/thread-snapshots';
import { adminRouter } from './http/admin';
import { commentsRouter } from './http/comments';
import { devTokenRouter } from './http/dev-token';
import { flagsRouter } from './http/flags';
import { importsRouter } from './http/imports';
import { moderationRouter } from './http/moderation';
import { notificationsRouter } from './http/notifications';
import { errorHandler, notFoundHandler } from './http/errors';
import { siteAndActor } from './http/identity';
import { opsRouter, type ReadinessCheck } from './http/ops';
import { pagesRouter } from './http/pages';
import { reactionsRouter } from './http/reactions';
import { statsRouter } from './http/stats';
import { requestLog } from './http/request-log';
import { SECURITY_HEADERS, securityHeaders } from './http/security-headers';
import { webhooksRouter } from './http/webhooks';
import type { Logger } from './log';
import { createMetrics, watchDatabase } from './metrics';
import { useAdapter } from './realtime/adapter';
import { SocketFanout } from './realtime/fanout';
import { dashboardNamespace } from './realtime/dashboard';
import { registerReaderHandlers, type ReaderSocket } from './realtime/handlers';
import { handshake } from './realtime/handshake';
import { moderationNamespace } from './realtime/moderation';
import { RedisPresenceBoard } from './realtime/presence-board';
import { followUser, SocketUserFanout } from './realtime/user-rooms';
import { connectRedis } from './redis';
import { createStats } from './stats/wiring';
import type { Services } from './services';
import type { Database } from './store/connection';
import { migrate } from './store/migrations';
import { buildModels, ensureIndexes } from './store/models';
import { buildNotificationModels } from './store/notification-models';
import { buildWebhookModels } from './store/webhook-models';
import { createLimits } from './trust/limits';
import { loadSites, SiteRegistry } from './trust/sites';

/** How often a node without Redis (alone, as the contract has it) checks a thread against the log. */
const SOLE_NODE_VERIFY_MS = 1000;

/** Where `npm run build` puts the widget, the console and the demo assets. */
const WEB_DIST = fileURLToPath(new URL('../../dist/web', import.meta.url));

export interface App {
  services: Services;
  http: HttpServer;
  /** The Express application (its router lists the routes). */
  express: express.Express;
  io: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Graceful stop: refuse new work, finish what is in flight, close sockets. */
  close(): Promise<void>;
}

/**
 * Adds a router's layers (routes and path-scoped middleware) to `into`, in order: the same
 * routes as `into.use(router)`, without entering and leaving one more router on every request.
 * For routers mounted at the root that hold only layers (no param callbacks, default options).
 */
function inline(into: express.Router, router: express.Router): void {
  into.stack.push(...router.stack);
}

export async function createApp(config: Config, db: Database, log: Logger): Promise<App> {
  const sites = new SiteRegistry(loadSites(config.SITES_FILE));
  const models = buildModels(db.conn);
  await ensureIndexes(models);
  await migrate(models, db.conn);

  const app = express();
  const http = createServer(app);
  const io = new Server(http, {
    maxHttpBufferSize: config.SOCKET_MAX_BYTES,
    perMessageDeflate: false,
    cors: { origin: (origin, cb) => cb(null, origin ?? true), credentials: false },
    connectionStateRecovery: undefined,
  });

  const metrics = createMetrics({ connectedSockets: () => io.engine.clientsCount });
  watchDatabase(db.conn, metrics);
  // One set of Redis connections for the process; without REDIS_URL, one node in memory.
  const redis = config.REDIS_URL
    ? connectRedis(config.REDIS_URL, log, {
        error: (client) => metrics.redisErrors.inc({ client }),
        up: (ready) => metrics.redisUp.set(ready ? 1 : 0),
      })
    : undefined;
  useAdapter(io, redis);
  const fanout = new SocketFanout(io, (event) => metrics.emitted.inc({ event }));
  const events = new EventLog(models, config.EVENT_RETENTION_HOURS * 3600 * 1000);
  await migrateEventKeys(models);
  // A node alone (no Redis) emits every event there is, and looks at the log once a second
  // as a safety net; nodes sharing Redis look at it on every read round (docs/ARCHITECTURE.md).
  const reads = new ThreadReads(models, events, fanout, {
    maxBytes: config.THREAD_CACHE_MB * 1024 * 1024,
    verifyEveryMs: config.REDIS_URL ? 0 : SOLE_NODE_VERIFY_MS,
    observer: metrics.threadObserver,
    snapshots: { store: new SnapshotStore(snapshotCollections(db.conn), db.ferret), intervalMs: config.THREAD_SNAPSHOT_MS, onError: (err) => log.warn({ err }, 'thread snapshot write failed') },
  });
  metrics.watchThreads(() => reads.cache.stats());
  fanout.articleFollowers.push((site, event) => reads.cache.emitted(site, event));
  events.emittedSeq = (site, article) => reads.cache.emittedSeq(site, article);
  const lifecycle = new CommentLifecycle(models, events, fanout, (err) => log.warn({ err }, 'comment recount failed'));
  const comments = new CommentService(models, lifecycle, reads);
  comments.observer = metrics.domainObserver;
  const moderation = buildModeration({ models, comments, events, fanout, sites, onError: (err) => log.warn({ err }, 'moderation queue update failed') });
  const reactions = new ReactionService(models, events, fanout, (err) => log.warn({ err }, 'reaction update failed'));
  // Readers are counted per node and added up through Redis when nodes share it.
  const presence = new PresenceService(fanout, {
    board: redis ? new RedisPresenceBoard(redis.client, config.CLUSTER_PREFIX) : undefined,
    onError: (err, first) => first && log.warn({ err }, 'presence: shared counts unavailable; counting this node only'),
    onRecovered: () => log.info('presence: shared counts back'),
  });
  fanout.countViewers = (site, article) => presence.viewers(site, article);
  const imports = new ImportJobs(models, { models, events, fanout, recounts: lifecycle.recounts }, (err) => log.warn({ err }, 'import failed'));
  const notificationModels = buildNotificationModels(db.conn);
  await ensureIndexes(notificationModels);
  const notifications = new NotificationService({ ...models, ...notificationModels }, new SocketUserFanout(io, (event) => metrics.emitted.inc({ event })), {
    retentionDays: config.NOTIFICATION_RETENTION_DAYS,
    onError: (err) => log.warn({ err }, 'notification failed'),
  });
  lifecycle.watchers.push((t) => notifications.watch(t));
  const dataRights = new DataRights({ models, comments, reactions, moderation, notifications });
  // Signed webhooks (docs/WEBHOOKS.md): stored before a change is answered, sent by every node.
  const webhookModels = buildWebhookModels(db.conn);
  await ensureIndexes(webhookModels);
  const webhookSettings = {
    retryMs: config.WEBHOOK_RETRY_MS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    attempted: (hook: { id: string; url: string }, o: { site: string; ok: boolean; exhausted: boolean; error: string | null }) => {
      metrics.webhookAttempts.inc({ site: o.site, webhook: hook.id, result: o.ok ? 'delivered' : o.exhausted ? 'disabled' : 'failed' });
      if (o.exhausted) log.warn({ webhook: hook.id, url: hook.url, error: o.error }, 'webhook disabled: it failed past its retry schedule');
    },
  };
  const webhooks = new Webhooks(models, webhookModels, sites, webhookSettings, (err) => log.warn({ err }, 'webhooks: a step failed'));
  lifecycle.watchers.push(webhooks.watch);
  moderation.decisions.queue.countWatchers.push(webhooks.counted);
  if (webhooks.configured) webhooks.dispatcher.start();
  const services: Services = { config, log, sites, db, models, events, comments, fanout, moderation, reactions, presence, imports, dataRights, notifications };
  services.metrics = metrics;
  services.webhooks = webhooks;
  if (redis) services.redis = redis.client;
  if (config.STATS === 'on') services.stats = createStats(services, io, (err) => log.warn({ err }, 'stats: update failed'));
  // Shared limits need a Redis client that fails fast (the in-memory insurance answers then).
  const limitsRedis = config.RATE_LIMITS === 'on' ? services.redis : undefined;
  if (config.RATE_LIMITS === 'on') services.limits = createLimits({ redis: limitsRedis, keyPrefix: config.RATE_LIMIT_PREFIX, onRefused: (limit) => metrics.rateLimited.inc({ limit }) });

  const checks: ReadinessCheck[] = [{ name: 'database', check: () => db.ping() }];
  // Without Redis a node still serves its own readers: ready, but degraded.
  if (redis) checks.push({ name: 'redis', check: () => redis.ping(), optional: true });

  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestLog(log));
  app.use(securityHeaders(SECURITY_HEADERS));
  const api = express.Router({ mergeParams: true });
  const identify = siteAndActor(sites, config.TRUST_PROXY);
  inline(api, importsRouter(services, identify)); // a raw body up to IMPORT_MAX_BYTES, before the JSON parser
  api.use(express.json({ limit: config.HTTP_MAX_BYTES, strict: true }));
  api.use(identify);
  inline(api, commentsRouter(services));
  inline(api, reactionsRouter(services));
  inline(api, flagsRouter(services));
  inline(api, moderationRouter(services));
  inline(api, notificationsRouter(services));
  inline(api, statsRouter(services)); // before admin/: moderators may read the statistics too
  inline(api, adminRouter(services));
  inline(api, webhooksRouter(webhooks));
  if (!config.SITES_FILE) inline(api, devTokenRouter()); // local mode only: demo moderator tokens
  // The sites' API first: a widget load is by far the most frequent request, and no other
  // router serves a path under /api/v1/sites/ (each router a request passes costs it).
  app.use('/api/v1/sites/:site', api);
  app.use(opsRouter(metrics.registry, checks));
  app.use(referenceRouter()); // GET /api/v1/openapi.json, /api/v1/asyncapi.json, /api/docs
  app.use(pagesRouter({ distDir: WEB_DIST, sites }));
  app.use(notFoundHandler);
  app.use(errorHandler(log));

  io.use(handshake(sites, config.TRUST_PROXY, services.limits));
  io.on('connection', (socket) => {
    registerReaderHandlers(socket as ReaderSocket, services);
    followUser(socket);
  });
  moderationNamespace(io, services);
  const dashboard = dashboardNamespace(io, services);

  const sweeper = setInterval(() => {
    events.sweep().catch((err) => log.warn({ err }, 'event sweep failed'));
    comments.sweepRecentTexts().catch((err) => log.warn({ err }, 'recent-text sweep failed'));
    notifications.sweep().catch((err) => log.warn({ err }, 'notification sweep failed'));
    if (webhooks.configured) webhooks.sweep().catch((err) => log.warn({ err }, 'webhook sweep failed'));
  }, 10 * 60 * 1000);
  sweeper.unref();

  return {
    services,
    http,
    express: app,
    io,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => resolve(http.address() as AddressInfo));
      });
    },
    async close() {
      clearInterval(sweeper);
      dashboard.close();
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      // This node's sockets only: without `local`, the adapter would disconnect every node's.
      io.local.disconnectSockets(true);
      await reactions.close();
      lifecycle.close();
      await webhooks.close();
      await notifications.settled();
      await presence.close();
      await events.drain();
      await reads.cache.close();
      await services.stats?.close(); // after the work in flight: its counts are flushed too
      await Promise.race([closed, new Promise((r) => setTimeout(r, config.SHUTDOWN_GRACE_MS))]);
      io.close();
      http.closeAllConnections();
      await redis?.close();
    },
  };
}
