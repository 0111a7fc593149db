// The coalescer runs what it has scheduled when it stops: a node shutting down still sends the
// last totals of a burst.
import assert from 'node:assert/strict';
import { Coalescer } from '../../server/src/domain/coalesce';

describe('coalescer', () => {
  it('flushes the latest data of a burst once at the leading edge and once more on stop', async () => {
    const flushed: number[] = [];
    const c = new Coalescer<number>({
      intervalMs: 10_000,
      flush: async (_k, n) => void flushed.push(n),
      onError: (err) => assert.fail(String(err)),
    });
    c.touch('k', 1);
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 2; i <= 50; i++) c.touch('k', i);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(flushed, [1], 'the leading edge went out; the rest waits for the interval');
    await c.stop();
    assert.deepEqual(flushed, [1, 50], 'stopping sends the latest data instead of dropping it');
    c.touch('k', 51);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(flushed, [1, 50], 'nothing after stop');
  });

  it('runs a pending settle pass on stop', async () => {
    const seen: string[] = [];
    const c = new Coalescer<string>({
      intervalMs: 10,
      settleMs: 10_000,
      flush: async (_k, d) => void seen.push(`flush ${d}`),
      settle: async (_k, d) => void seen.push(`settle ${d}`),
      onError: (err) => assert.fail(String(err)),
    });
    c.touch('k', 'a');
    await new Promise((r) => setTimeout(r, 30));
    await c.stop();
    assert.deepEqual(seen, ['flush a', 'settle a']);
  });
});
