// Builds the statistics and hooks them on the paths that already run: the comment lifecycle's
// watchers, the reaction counters, the flag service, and this node's article rooms.
import type { Server } from 'socket.io';
import { ModerationQueue } from '../domain/moderation-queue';
import { articleOfRoom } from '../realtime/rooms';
import type { Services } from '../services';
import { EngagementStats } from '.';
import type { ReaderCount } from './recorder';

export function createStats(services: Services, io: Server, onError: (err: unknown) => void, now?: () => number): EngagementStats {
  const { config, models, fanout } = services;
  const queue = new ModerationQueue(models, fanout, onError);
  const stats = new EngagementStats({
    conn: services.db.conn,
    ...(services.redis ? { redis: services.redis } : {}),
    prefix: config.CLUSTER_PREFIX,
    flushMs: config.STATS_FLUSH_MS,
    minuteDays: config.STATS_MINUTE_DAYS,
    readers: () => localReaders(io),
    backlog: (site) => queue.counts(site),
    onError,
    ...(now ? { now } : {}),
  });
  const { recorder } = stats;
  services.comments.lifecycle.watchers.push(recorder.watch);
  services.reactions.counters.watchers.push((site, article, n) => recorder.reacted(site, article, n));
  services.moderation.flags.watchers.push((site, article) => recorder.flagged(site, article));
  stats.start();
  return stats;
}

/** This node's readers per article: the sizes of its article rooms. */
function* localReaders(io: Server): Iterable<ReaderCount> {
  for (const [room, members] of io.of('/').adapter.rooms) {
    const a = articleOfRoom(room);
    if (a && members.size > 0) yield { ...a, count: members.size };
  }
}
