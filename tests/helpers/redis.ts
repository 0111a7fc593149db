// The test Redis (REDIS_URL_TEST, default the local one), for tests of several nodes.
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.REDIS_URL_TEST ?? 'redis://127.0.0.1:6379';

/** A connected client of the test Redis, or null when it does not answer (tests then skip). */
export async function testRedis(): Promise<Redis | null> {
  const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch {
    client.disconnect();
    return null;
  }
}
