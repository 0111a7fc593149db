// The process's Redis connections, all made here from REDIS_URL. Two kinds:
//   - fail-fast clients (no offline queue): a command while Redis is away fails at once, so
//     callers fall back (rate limits to their in-memory insurance, fan-out to local rooms,
//     readiness to "degraded") instead of waiting for a reconnect;
//   - waiting clients (offline queue, no retry cap): for blocking readers and subscribers,
//     which should simply resume when Redis returns rather than fail in a tight loop.
// Every client has an 'error' listener: an unhandled 'error' on an ioredis client would
// crash the process.
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './log';

export type { Redis };

export interface RedisEvents {
  /** A client reported an error (connection refused, reset, command failure...). */
  error?(client: string, err: Error): void;
  /** The shared client became ready (true) or lost its connection (false). */
  up?(ready: boolean): void;
}

export interface RedisConnections {
  /** The shared fail-fast client: rate limits, readiness, the adapter's publishing side. */
  client: Redis;
  /** A new fail-fast client with its own connection. */
  failFast(name: string): Redis;
  /** A new client whose commands wait for Redis to come back. */
  waiting(name: string): Redis;
  /** True while the shared client is connected and ready. */
  ready(): boolean;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Reconnect quickly at first, then every two seconds, forever. */
const retryStrategy = (times: number) => Math.min(100 * times, 2000);

export function connectRedis(url: string, log: Logger, events: RedisEvents = {}): RedisConnections {
  const made: Redis[] = [];
  const base: RedisOptions = {
    retryStrategy,
    connectTimeout: 5000,
    connectionName: 'charcha',
  };
  // Errors repeat every retry while Redis is away: log the first of each streak only.
  const failing = new Set<string>();
  const make = (name: string, options: RedisOptions): Redis => {
    const client = new Redis(url, { ...base, ...options });
    client.on('error', (err: Error) => {
      events.error?.(name, err);
      if (!failing.has(name)) log.warn({ redis: name, err: err.message }, 'redis error; retrying');
      failing.add(name);
    });
    client.on('ready', () => {
      if (failing.delete(name)) log.info({ redis: name }, 'redis connection back');
    });
    made.push(client);
    return client;
  };
  const failFast = (name: string) => make(name, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const waiting = (name: string) => make(name, { enableOfflineQueue: true, maxRetriesPerRequest: null });

  const client = failFast('shared');
  client.on('ready', () => events.up?.(true));
  client.on('close', () => events.up?.(false));

  return {
    client,
    failFast,
    waiting,
    ready: () => client.status === 'ready',
    async ping() {
      if (client.status !== 'ready') throw new Error(`redis ${client.status}`);
      await client.ping();
    },
    async close() {
      // disconnect, not quit: quit would wait in the offline queue while Redis is away.
      for (const c of made) c.disconnect();
    },
  };
}
