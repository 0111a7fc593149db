// Node slots for the statistics on a real Redis: nodes running at once hold different slots,
// a slot a node gave back is taken again, and nodes of other databases do not count.
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { RedisSlotLease } from '../../server/src/stats/slot';
import { testRedis } from '../helpers/redis';

describe('statistics node slots (Redis)', () => {
  let redis: Redis | null;
  const prefix = `slot-test-${process.pid}-${Date.now()}`;

  before(async function () {
    redis = await testRedis();
    if (!redis) this.skip();
  });
  after(async () => {
    if (!redis) return;
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('gives nodes at once different slots, and a released slot to the next node', async () => {
    const leases = Array.from({ length: 5 }, () => new RedisSlotLease(redis!, `${prefix}:db1`));
    const slots = await Promise.all(leases.map((l) => l.current()));
    assert.deepEqual([...slots].sort(), [0, 1, 2, 3, 4]);
    assert.deepEqual(await Promise.all(leases.map((l) => l.current())), slots, 'a node keeps its slot');
    const freed = slots[2]!;
    await leases[2]!.close();
    const next = new RedisSlotLease(redis!, `${prefix}:db1`);
    assert.equal(await next.current(), freed);
    // Another database's nodes have slots of their own.
    const other = new RedisSlotLease(redis!, `${prefix}:db2`);
    assert.equal(await other.current(), 0);
    await Promise.all([...leases, next, other].map((l) => l.close()));
  });
});
