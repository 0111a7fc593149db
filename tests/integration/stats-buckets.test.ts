// The statistics' buckets on the real database, with the recorder's clock driven by the test:
// counts that cross a minute and an hour boundary, two node slots adding up, readers' peaks,
// a failed flush keeping its counts, and the rollup past the minute retention (idempotent,
// and the same when two nodes run it at once).
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import type { Transition } from '../../server/src/domain/lifecycle';
import { connectDatabase, type Database } from '../../server/src/store/connection';
import type { CommentDoc } from '../../server/src/store/models';
import { EngagementStats } from '../../server/src/stats';
import { HOUR_MS, MINUTE_MS, medianWaitMs } from '../../server/src/stats/counts';
import type { SlotLease } from '../../server/src/stats/slot';
import { StatsRecorder, type ReaderCount } from '../../server/src/stats/recorder';
import { freshDatabaseUri } from '../helpers/db';

const T0 = Date.UTC(2026, 2, 14, 10, 59, 30); // 10:59:30, half a minute before an hour ends
const SITE = 'news';
const ARTICLE = 'चुनाव.2026/$live'; // a dot, a dollar and Devanagari: escaped in field names

const fixedSlot = (n: number): SlotLease => ({ current: async () => n, close: async () => {} });

function comment(status: CommentDoc['status'], createdAt: number): CommentDoc {
  return { _id: new Types.ObjectId(), site: SITE, article: ARTICLE, status, createdAt: new Date(createdAt), editedAt: null } as unknown as CommentDoc;
}
const by = { id: 'u1', name: 'उषा' };
const post = (status: CommentDoc['status'], at: number): Transition => ({ site: SITE, article: ARTICLE, action: 'post', by, before: null, after: comment(status, at) });
const decide = (action: 'approve' | 'reject' | 'spam', heldAt: number): Transition => ({
  site: SITE,
  article: ARTICLE,
  action,
  by: { id: 'mod', name: 'Mod' },
  before: comment('pending', heldAt),
  after: comment(action === 'approve' ? 'published' : 'rejected', heldAt),
});

describe('statistics buckets', function () {
  this.timeout(120_000);
  let db: Database;
  let now = T0;
  let readers: ReaderCount[] = [];
  let stats: EngagementStats;
  const errors: unknown[] = [];

  const make = () =>
    new EngagementStats({
      conn: db.conn,
      prefix: 't',
      flushMs: 60_000,
      minuteDays: 30,
      readers: () => readers,
      backlog: async () => ({ pending: 0, flagged: 0 }),
      onError: (err) => errors.push(err),
      now: () => now,
    });
  const recorder = (slot: number) =>
    new StatsRecorder({ store: stats.store, slot: fixedSlot(slot), flushMs: 60_000, onError: (err) => errors.push(err), readers: () => readers, now: () => now });

  before(async function () {
    this.timeout(900_000);
    db = await connectDatabase(await freshDatabaseUri('stats'));
    stats = make();
  });
  after(async () => db?.close());

  it('counts land in the minute they happened, across a minute and an hour boundary', async () => {
    const r = recorder(0);
    now = T0;
    r.watch(post('published', now));
    r.watch(post('published', now));
    r.watch(post('pending', now));
    r.reacted(SITE, ARTICLE, 3);
    r.flagged(SITE, ARTICLE);
    now = T0 + 40_000; // 11:00:10, the next minute and the next hour
    r.watch(post('rejected', now));
    r.watch(decide('approve', T0)); // held at 10:59:30, decided 40 s later
    r.watch({ ...post('published', now), action: 'edit', before: comment('published', T0) }); // not counted
    await r.flush();
    assert.deepEqual(errors, []);

    const from = T0 - 30_000 - MINUTE_MS; // 10:58
    const s = await stats.queries.series(SITE, from, from + 4 * MINUTE_MS);
    assert.equal(s.resolution, 'minute');
    assert.deepEqual(
      s.points.map((p) => p.at),
      [0, 1, 2, 3].map((i) => from + i * MINUTE_MS),
    );
    const [m58, m59, m00, m01] = s.points;
    assert.deepEqual(m58, { at: from });
    assert.deepEqual(m59, { at: from + MINUTE_MS, posted: 3, published: 2, held: 1, reactions: 3, flags: 1 });
    assert.deepEqual(m00, { at: from + 2 * MINUTE_MS, posted: 1, rejected: 1, decisions: 1, approved: 1, waitMs: 40_000, wait: { '0': 1 } });
    assert.deepEqual(m01, { at: from + 3 * MINUTE_MS });
    assert.equal(s.totals.posted, 4);
    assert.equal(s.medianWaitMs, 60_000);

    // The article's own series, and another article has none.
    const a = await stats.queries.series(SITE, from, from + 4 * MINUTE_MS, ARTICLE);
    assert.deepEqual(a.points.map((p) => p.posted ?? 0), [0, 3, 1, 0]);
    const other = await stats.queries.series(SITE, from, from + 4 * MINUTE_MS, 'चुनाव');
    assert.deepEqual(other.totals, {});
    await r.close();
  });

  it('two node slots writing the same minutes add up; readers are each node\'s peak, summed', async () => {
    now = T0 + 2 * HOUR_MS;
    const [a, b] = [recorder(0), recorder(1)];
    readers = [{ site: SITE, article: ARTICLE, count: 5 }, { site: SITE, article: 'other', count: 2 }];
    a.sampleReaders();
    readers = [{ site: SITE, article: ARTICLE, count: 9 }];
    a.sampleReaders(); // node a's peak this minute: 9 on the article, 9 on the site
    readers = [{ site: SITE, article: ARTICLE, count: 4 }];
    b.sampleReaders();
    for (let i = 0; i < 7; i++) a.watch(post('published', now));
    for (let i = 0; i < 5; i++) b.watch(post('pending', now));
    a.reacted(SITE, 'other', 2);
    await Promise.all([a.flush(), b.flush()]);
    const s = await stats.queries.series(SITE, now - (now % MINUTE_MS), now - (now % MINUTE_MS) + MINUTE_MS);
    assert.deepEqual(s.points[0], { at: now - (now % MINUTE_MS), posted: 12, published: 7, held: 5, reactions: 2, readers: 13 });
    const top = await stats.queries.top(SITE, 'readers', HOUR_MS);
    assert.deepEqual(top.map((t) => [t.article, t.readers, t.comments, t.reactions]), [[ARTICLE, 13, 12, 0], ['other', 2, 0, 2]]);
    const byReactions = await stats.queries.top(SITE, 'reactions', HOUR_MS);
    assert.deepEqual(byReactions.map((t) => t.article), ['other']);
    readers = [];
  });

  it('a flush that fails keeps its counts for the next one', async () => {
    now = T0 + 5 * HOUR_MS;
    let failNext = true;
    const flaky: SlotLease = { current: async () => 0, close: async () => {} };
    const r = new StatsRecorder({ store: stats.store, slot: flaky, flushMs: 60_000, onError: () => {}, now: () => now });
    const write = stats.store.write.bind(stats.store);
    const store = Object.create(stats.store) as typeof stats.store;
    store.write = async (w) => {
      if (failNext) {
        failNext = false;
        throw new Error('database away');
      }
      return write(w);
    };
    (r as unknown as { opts: { store: typeof store } }).opts.store = store;
    r.watch(post('published', now));
    await r.flush();
    r.watch(post('published', now));
    await r.flush();
    const start = now - (now % MINUTE_MS);
    const s = await stats.queries.series(SITE, start, start + MINUTE_MS);
    assert.equal(s.points[0]!.posted, 2);
  });

  it('rolls buckets past the retention up to hours: same hourly totals, idempotent, on two nodes at once', async () => {
    const hour = T0 - (T0 % HOUR_MS); // 10:00
    const range = [hour, hour + 4 * HOUR_MS] as const;
    now = T0 + 3 * HOUR_MS;
    const before = await stats.queries.series(SITE, range[0], range[1] + 48 * HOUR_MS); // a long range: hours
    assert.equal(before.resolution, 'hour');
    const topBefore = await stats.queries.top(SITE, 'comments', 4 * HOUR_MS);

    now = T0 + 31 * 24 * HOUR_MS; // a month later: everything above is past the minute retention
    const other = make();
    const [n1, n2] = await Promise.all([stats.rollUp(), other.rollUp()]);
    assert.ok(n1 + n2 >= 3, `rolled ${n1} + ${n2}`);
    assert.equal(await stats.rollUp(), 0, 'a second rollup finds nothing to do');
    const after = await stats.queries.series(SITE, range[0], range[1] + 48 * HOUR_MS);
    assert.deepEqual(after.points, before.points);
    assert.equal(after.totals.posted, 4 + 12 + 2);
    assert.equal(medianWaitMs(after.totals.wait), 60_000);
    // Minutes of a rolled-up range come back as their hour.
    const minutes = await stats.queries.series(SITE, hour, hour + HOUR_MS);
    assert.equal(minutes.resolution, 'hour');
    assert.equal(minutes.points[0]!.posted, 3);
    assert.ok(topBefore.length > 0);
    assert.deepEqual(errors, []);
  });
});
