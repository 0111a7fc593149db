// The statistics' pure arithmetic: wait buckets and medians, article ids in field names,
// summing buckets into series (slots, minutes, hours, rolled-up hours), per-article totals,
// the rollup, and adding up the nodes' live snapshots.
import assert from 'node:assert/strict';
import { HOUR_MS, MINUTE_MS, articleField, articleOfField, articleTotals, bucketId, medianWaitMs, rollUp, series, waitBucket, type Bucket } from '../../server/src/stats/counts';
import { sumSnapshots } from '../../server/src/stats/live';

const H = Date.UTC(2026, 0, 1, 9); // 09:00
const bucket = (slot: number, b: Partial<Bucket>, hour = H): Bucket => ({ _id: bucketId('s', hour, slot), site: 's', hour: new Date(hour), slot, ...b });

describe('statistics arithmetic', () => {
  it('puts waits in buckets and reads the median as the bound of the middle bucket', () => {
    assert.deepEqual([0, 59_999, 60_000, 299_999, 3_600_000, 90_000_000].map(waitBucket), [0, 0, 1, 1, 4, 6]);
    assert.equal(medianWaitMs(undefined), null);
    assert.equal(medianWaitMs({}), null);
    assert.equal(medianWaitMs({ '0': 1, '1': 1, '3': 5 }), 3_600_000);
    assert.equal(medianWaitMs({ '0': 3, '3': 3 }), 60_000);
    assert.equal(medianWaitMs({ '6': 1 }), Infinity);
  });

  it('escapes article ids for field names, reversibly', () => {
    for (const id of ['a.b', 'राजनीति.चुनाव%2E', '100%', 'plain-id', 'price$5.%24']) {
      assert.ok(!/[.$]/.test(articleField(id)), id);
      assert.equal(articleOfField(articleField(id)), id);
    }
    assert.equal(bucketId('news', H + 25 * MINUTE_MS, 3), 'news|2026-01-01T09|3');
  });

  it('sums slots per minute: counts add up, readers add up across nodes and peak within one', () => {
    const a = bucket(0, { m: { '0': { posted: 2, readers: 5 }, '2': { posted: 1, readers: 7 } } });
    const b = bucket(1, { m: { '0': { posted: 3, readers: 4, wait: { '1': 2 } } } });
    const pts = series([a, b], { from: H, to: H + 3 * MINUTE_MS, resolution: 'minute' });
    assert.deepEqual(pts, [
      { at: H, posted: 5, readers: 9, wait: { '1': 2 } },
      { at: H + MINUTE_MS },
      { at: H + 2 * MINUTE_MS, posted: 1, readers: 7 },
    ]);
    // Hours: readers are each slot's busiest minute, summed.
    const hours = series([a, b], { from: H, to: H + HOUR_MS, resolution: 'hour' });
    assert.deepEqual(hours, [{ at: H, posted: 6, readers: 11, wait: { '1': 2 } }]);
  });

  it('leaves out minutes outside the range and reads one article', () => {
    const a = bucket(0, { m: { '5': { posted: 1 }, '50': { posted: 4 } }, a: { [articleField('x.y')]: { '5': { posted: 1 } }, z: { '50': { posted: 4 } } } });
    const pts = series([a], { from: H + 5 * MINUTE_MS, to: H + 10 * MINUTE_MS, resolution: 'minute' });
    assert.equal(pts.length, 5);
    assert.equal(pts.reduce((s, p) => s + (p.posted ?? 0), 0), 1);
    const art = series([a], { from: H, to: H + HOUR_MS, resolution: 'minute', article: 'x.y' });
    assert.equal(art.reduce((s, p) => s + (p.posted ?? 0), 0), 1);
    assert.equal(series([a], { from: H, to: H + HOUR_MS, resolution: 'minute', article: 'none' }).reduce((s, p) => s + (p.posted ?? 0), 0), 0);
  });

  it('rolls a bucket up to its hour, idempotently, and reads rolled and unrolled hours alike', () => {
    const minutes = bucket(0, { m: { '1': { posted: 2, readers: 3 }, '9': { posted: 1, readers: 8, wait: { '0': 1 } } }, a: { x: { '1': { posted: 2 }, '9': { posted: 1, readers: 8 } } } });
    const once = rollUp(minutes);
    assert.deepEqual(once, { t: { posted: 3, readers: 8, wait: { '0': 1 } }, at: { x: { posted: 3, readers: 8 } } });
    const rolled = bucket(0, { rolled: true, ...once });
    assert.deepEqual(rollUp(rolled), once);
    const opts = { from: H, to: H + HOUR_MS, resolution: 'hour' as const };
    assert.deepEqual(series([rolled], opts), series([minutes], opts));
    // A rolled hour asked for in minutes lands on the hour's first minute.
    const asMinutes = series([rolled], { ...opts, resolution: 'minute' });
    assert.deepEqual(asMinutes[0], { at: H, posted: 3, readers: 8, wait: { '0': 1 } });
  });

  it('totals articles over a window: counts summed, readers the busiest minute of all slots together', () => {
    const a = bucket(0, { a: { x: { '0': { posted: 1, readers: 4 }, '1': { posted: 1, readers: 6 } }, y: { '30': { reactions: 5 } } } });
    const b = bucket(1, { a: { x: { '0': { posted: 2, readers: 5 } } } });
    const t = articleTotals([a, b], H, H + 10 * MINUTE_MS);
    assert.deepEqual(t.get('x'), { posted: 4, readers: 9 });
    assert.equal(t.has('y'), false, 'minute 30 is outside the window');
  });

  it('adds up the nodes\' live snapshots', () => {
    const live = sumSnapshots(
      [
        { at: 1, readers: { x: 2, y: 1 }, minutes: { '60000': { posted: 1, reactions: 2 } } },
        { at: 1, readers: { x: 3 }, minutes: { '60000': { posted: 2, reactions: 0 }, '0': { posted: 1, reactions: 1 } } },
      ],
      5,
    );
    assert.deepEqual(live, {
      at: 5,
      readers: 6,
      articles: [
        { article: 'x', readers: 5 },
        { article: 'y', readers: 1 },
      ],
      minutes: [
        { at: 0, posted: 1, reactions: 1 },
        { at: 60000, posted: 3, reactions: 2 },
      ],
    });
  });
});
