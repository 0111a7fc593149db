// The services app.ts builds and hands to both transports.
import type { Socket } from 'socket.io';
import type { Config } from './config';
import type { Actor } from './domain/actor';
import type { CommentService } from './domain/comments';
import type { DataRights } from './domain/data-rights';
import type { EventLog } from './domain/events';
import type { ImportJobs } from './domain/imports';
import type { Moderation } from './domain/moderation-services';
import type { NotificationService } from './domain/notifications';
import type { ReactionService } from './domain/reactions';
import type { Webhooks } from './domain/webhooks';
import type { Logger } from './log';
import type { Metrics } from './metrics';
import type { SocketFanout } from './realtime/fanout';
import type { Redis } from './redis';
import type { EngagementStats } from './stats';
import type { Database } from './store/connection';
import type { Models } from './store/models';
import type { Site, SiteRegistry } from './trust/sites';

/** Rate limits, by action; each throws a rate_limited DomainError when over the limit. */
export interface Limits {
  post(actor: Actor, guest: boolean): Promise<void>;
  edit(actor: Actor): Promise<void>;
  /** A reaction set or cleared (comment or article). */
  react(actor: Actor): Promise<void>;
  /** A flag raised on a comment. */
  flag(actor: Actor): Promise<void>;
  /** A new Socket.IO connection from an address. */
  connection(site: Site, ip: string): Promise<void>;
  /** One event on a connection to `site`; a flooding connection gets SocketFlooding (trust/limits). */
  socketEvent(socket: Pick<Socket, 'id'>, site: Site | undefined): Promise<void>;
}

/** Readers per article, as sockets join and leave rooms. */
export interface PresenceTracker {
  joined(site: string, article: string): void;
  left(site: string, article: string): void;
}

export interface Services {
  config: Config;
  log: Logger;
  sites: SiteRegistry;
  db: Database;
  models: Models;
  events: EventLog;
  comments: CommentService;
  fanout: SocketFanout;
  moderation: Moderation;
  reactions: ReactionService;
  /** Imports over the admin API (the import command runs them directly). */
  imports: ImportJobs;
  /** A reader's data: what is stored about them, and its erasure. */
  dataRights: DataRights;
  /** Signed-in readers' notifications (replies, decisions on their comments). */
  notifications?: NotificationService;
  limits?: Limits;
  presence?: PresenceTracker;
  /**
   * The process's shared Redis client when REDIS_URL is set (fail-fast: no offline queue,
   * so a command while Redis is away fails at once and callers fall back).
   */
  redis?: Redis;
  /** Prometheus metrics of this node; e.g. `metrics.rateLimited.inc({ limit: 'post' })`. */
  metrics?: Metrics;
  /** Engagement statistics (the dashboard); absent with STATS=off. */
  stats?: EngagementStats;
  /** Signed webhooks per site (docs/WEBHOOKS.md). */
  webhooks?: Webhooks;
}
