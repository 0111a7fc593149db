// Which Socket.IO adapter carries events between nodes. Without Redis: the in-memory one
// (a single node). With Redis: the Redis Streams adapter. Why streams rather than pub/sub is
// in docs/DEPLOY.md; in short, a stream keeps what was published while a node's reading
// connection is away, and the adapter picks up from its last offset when it comes back.
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Server } from 'socket.io';
import type { Redis, RedisConnections } from '../redis';

export interface AdapterChoice {
  /** True when events reach the readers of every node, not only this one. */
  clustered: boolean;
}

/** Stream entries kept in Redis (approximately): about a minute of a busy site's events. */
const STREAM_MAX_LEN = 10_000;

export function useAdapter(io: Server, redis: RedisConnections | undefined): AdapterChoice {
  if (!redis) return { clustered: false };
  // The adapter publishes on this client and reads through its duplicates. Publishing must
  // fail fast while Redis is away: the adapter then still delivers to this node's own readers
  // at once (it broadcasts locally after a failed publish). Reading must wait and resume,
  // so duplicates are waiting clients; a failing reader would retry in a tight loop.
  const publisher = redis.failFast('adapter');
  let readers = 0;
  publisher.duplicate = (() => redis.waiting(`adapter-reader-${++readers}`)) as Redis['duplicate'];
  io.adapter(
    createAdapter(publisher, {
      streamName: 'charcha:socket.io',
      channelPrefix: 'charcha:socket.io',
      sessionKeyPrefix: 'charcha:sio:session:',
      maxLen: STREAM_MAX_LEN,
    }),
  );
  return { clustered: true };
}
