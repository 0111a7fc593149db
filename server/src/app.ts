// Wiring only: builds the services and hands them to the transports.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import helmet from 'helmet';
import { Redis } from 'ioredis';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { Server } from 'socket.io';
import type { Config } from './config';
import { CommentService } from './domain/comments';
import { EventLog } from './domain/events';
import { buildModeration } from './domain/moderation-services';
import { PresenceService } from './domain/presence';
import { ReactionService } from './domain/reactions';
import { commentsRouter } from './http/comments';
import { devTokenRouter } from './http/dev-token';
import { flagsRouter } from './http/flags';
import { moderationRouter } from './http/moderation';
import { errorHandler, notFoundHandler } from './http/errors';
import { siteAndActor } from './http/identity';
import { opsRouter, type ReadinessCheck } from './http/ops';
import { reactionsRouter } from './http/reactions';
import type { Logger } from './log';
import { SocketFanout } from './realtime/fanout';
import { registerReaderHandlers, type ReaderSocket } from './realtime/handlers';
import { handshake } from './realtime/handshake';
import { moderationNamespace } from './realtime/moderation';
import type { Services } from './services';
import type { Database } from './store/connection';
import { buildModels, ensureIndexes } from './store/models';
import { createLimits } from './trust/limits';
import { loadSites, SiteRegistry } from './trust/sites';

export interface App {
  services: Services;
  http: HttpServer;
  io: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Graceful stop: refuse new work, finish what is in flight, close sockets. */
  close(): Promise<void>;
}

export async function createApp(config: Config, db: Database, log: Logger): Promise<App> {
  const sites = new SiteRegistry(loadSites(config.SITES_FILE));
  const models = buildModels(db.conn);
  await ensureIndexes(models);

  const app = express();
  const http = createServer(app);
  const io = new Server(http, {
    maxHttpBufferSize: config.SOCKET_MAX_BYTES,
    perMessageDeflate: false,
    cors: { origin: (origin, cb) => cb(null, origin ?? true), credentials: false },
    connectionStateRecovery: undefined,
  });

  const fanout = new SocketFanout(io);
  const events = new EventLog(models, config.EVENT_RETENTION_HOURS * 3600 * 1000);
  const comments = new CommentService(models, events, fanout);
  const reactions = new ReactionService(models, events, fanout, (err) => log.warn({ err }, 'reaction update failed'));
  const presence = new PresenceService(fanout, (err) => log.warn({ err }, 'presence update failed'));
  const moderation = buildModeration({ models, comments, events, fanout, sites, onError: (err) => log.warn({ err }, 'moderation queue update failed') });
  const services: Services = { config, log, sites, db, models, events, comments, fanout, moderation, reactions, presence };
  // Shared limits need a Redis client that fails fast (the in-memory insurance answers then).
  const limitsRedis = config.REDIS_URL && config.RATE_LIMITS === 'on' ? new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }) : undefined;
  limitsRedis?.on('error', (err) => log.warn({ err: err.message }, 'redis (rate limits) error'));
  if (config.RATE_LIMITS === 'on') services.limits = createLimits({ redis: limitsRedis, keyPrefix: config.RATE_LIMIT_PREFIX });

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const checks: ReadinessCheck[] = [{ name: 'database', check: () => db.ping() }];

  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'connect-src': ["'self'", 'ws:', 'wss:'],
          'img-src': ["'self'", 'https:', 'data:'],
        },
      },
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  app.use(opsRouter(registry, checks));
  const api = express.Router({ mergeParams: true });
  api.use(express.json({ limit: config.HTTP_MAX_BYTES, strict: true }));
  api.use(siteAndActor(sites, config.TRUST_PROXY));
  api.use(commentsRouter(services));
  api.use(flagsRouter(services));
  api.use(moderationRouter(services));
  if (!config.SITES_FILE) api.use(devTokenRouter()); // local mode only: demo moderator tokens
  api.use(reactionsRouter(services));
  app.use('/api/v1/sites/:site', api);
  app.use(notFoundHandler);
  app.use(errorHandler(log));

  io.use(handshake(sites, config.TRUST_PROXY, services.limits));
  io.on('connection', (socket) => registerReaderHandlers(socket as ReaderSocket, services));
  moderationNamespace(io, services);

  const sweeper = setInterval(() => {
    events.sweep().catch((err) => log.warn({ err }, 'event sweep failed'));
  }, 10 * 60 * 1000);
  sweeper.unref();

  return {
    services,
    http,
    io,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => resolve(http.address() as AddressInfo));
      });
    },
    async close() {
      clearInterval(sweeper);
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      io.disconnectSockets(true);
      await reactions.close();
      await presence.close();
      await events.drain();
      await Promise.race([closed, new Promise((r) => setTimeout(r, config.SHUTDOWN_GRACE_MS))]);
      io.close();
      http.closeAllConnections();
      limitsRedis?.disconnect();
    },
  };
}
