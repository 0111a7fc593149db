// What the engagement statistics count, and the arithmetic on it: pure functions, no I/O.
// One minute of one site (or one article) is a `Counts`; the database keeps them in one
// document per site, hour and node slot (docs/DATA.md, `stats`), summed when read.
import type { StatsCounts, StatsSeries } from '../../../client-sdk/src/protocol';

/** Counters added up across nodes and minutes. */
export const SUMMED = ['posted', 'published', 'held', 'rejected', 'decisions', 'approved', 'reactions', 'flags', 'waitMs'] as const;
export type SummedField = (typeof SUMMED)[number];

/**
 * Upper bounds (ms) of the buckets of the time from hold to decision; a last bucket takes the
 * rest. A median is read from these, so it is exact to the bucket (docs/DATA.md).
 */
export const WAIT_BUCKETS_MS = [60_000, 5 * 60_000, 15 * 60_000, 3600_000, 4 * 3600_000, 24 * 3600_000] as const;

/** Counters added up across nodes and minutes: one minute's, or a range's totals. */
export type Counts = StatsCounts;

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

export const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;

export function waitBucket(ms: number): number {
  const i = WAIT_BUCKETS_MS.findIndex((b) => ms < b);
  return i === -1 ? WAIT_BUCKETS_MS.length : i;
}

/** Adds `b` into `a` (readers: the larger wins within one node; see `addAcross`). */
export function addInto(a: Counts, b: Counts, readers: 'max' | 'sum' = 'max'): Counts {
  for (const f of SUMMED) if (b[f]) a[f] = (a[f] ?? 0) + b[f]!;
  if (b.wait) {
    a.wait ??= {};
    for (const [k, n] of Object.entries(b.wait)) a.wait[k] = (a.wait[k] ?? 0) + n;
  }
  if (b.readers !== undefined) a.readers = readers === 'max' ? Math.max(a.readers ?? 0, b.readers) : (a.readers ?? 0) + b.readers;
  return a;
}

/** The median wait from a wait histogram: the upper bound of the bucket holding the middle. */
export function medianWaitMs(wait: Record<string, number> | undefined): number | null {
  if (!wait) return null;
  const total = Object.values(wait).reduce((s, n) => s + n, 0);
  if (total === 0) return null;
  let seen = 0;
  for (let i = 0; i <= WAIT_BUCKETS_MS.length; i++) {
    seen += wait[String(i)] ?? 0;
    if (seen * 2 >= total) return WAIT_BUCKETS_MS[i] ?? Infinity;
  }
  return null;
}

/**
 * Article ids go into field names: `%`, `.` and `$` are escaped, so `a.<key>.<minute>` is one
 * path whatever the id holds, and no key looks like an operator to any engine.
 */
export const articleField = (article: string) => article.replace(/%/g, '%25').replace(/\./g, '%2E').replace(/\$/g, '%24');
export const articleOfField = (field: string) => field.replace(/%2E/g, '.').replace(/%24/g, '$').replace(/%25/g, '%');

/** The `_id` of the bucket of `site`'s hour `hourMs` written by node slot `slot`. */
export const bucketId = (site: string, hourMs: number, slot: number) => `${site}|${new Date(hourMs).toISOString().slice(0, 13)}|${slot}`;

/** A stored bucket: minutes 0-59 of one hour of one site, from one node slot. */
export interface Bucket {
  _id: string;
  site: string;
  hour: Date;
  slot: number;
  /** Site totals per minute of the hour ("0".."59"). */
  m?: Record<string, Counts>;
  /** Per article (escaped id), per minute. */
  a?: Record<string, Record<string, Counts>>;
  /** Set once rolled up: the hour's totals replace the minutes. */
  rolled?: boolean;
  t?: Counts;
  at?: Record<string, Counts>;
}

/** The hour's totals of a bucket in minutes: what the rollup keeps (idempotent: same input, same output). */
export function rollUp(b: Bucket): { t: Counts; at: Record<string, Counts> } {
  if (b.rolled) return { t: b.t ?? {}, at: b.at ?? {} };
  const t: Counts = {};
  for (const c of Object.values(b.m ?? {})) addInto(t, c);
  const at: Record<string, Counts> = {};
  for (const [art, mins] of Object.entries(b.a ?? {})) {
    const sum: Counts = {};
    for (const c of Object.values(mins)) addInto(sum, c);
    at[art] = sum;
  }
  return { t, at };
}

export type Point = StatsSeries['points'][number];

export type Resolution = 'minute' | 'hour';

/**
 * Sums buckets into a series over [from, to) at the given resolution, one point per step
 * (zeros included), for the site or for one article. Readers add up across slots (each node
 * counts its own readers) and take the largest minute within an hour.
 */
export function series(buckets: Bucket[], o: { from: number; to: number; resolution: Resolution; article?: string }): Point[] {
  const step = o.resolution === 'minute' ? MINUTE_MS : HOUR_MS;
  const start = floorTo(o.from, step);
  const points: Point[] = [];
  for (let at = start; at < o.to; at += step) points.push({ at });
  const field = o.article === undefined ? undefined : articleField(o.article);
  // Per point, per slot: the counts of that slot (readers are summed across slots afterwards).
  const perSlot = new Map<number, Map<number, Counts>>();
  const put = (at: number, slot: number, c: Counts) => {
    if (at < start || at >= o.to) return;
    const i = Math.floor((at - start) / step);
    let m = perSlot.get(i);
    if (!m) perSlot.set(i, (m = new Map()));
    m.set(slot, addInto(m.get(slot) ?? {}, c));
  };
  for (const b of buckets) {
    const hour = new Date(b.hour).getTime();
    if (b.rolled || o.resolution === 'hour') {
      const { t, at } = rollUp(b);
      const c = field === undefined ? t : at[field];
      if (c) put(floorTo(hour, step), b.slot, c);
      continue;
    }
    const mins = field === undefined ? b.m : b.a?.[field];
    for (const [min, c] of Object.entries(mins ?? {})) put(hour + Number(min) * MINUTE_MS, b.slot, c);
  }
  for (const [i, slots] of perSlot) for (const c of slots.values()) addInto(points[i]!, c, 'sum');
  return points;
}

/** Per article, the totals over the buckets' minutes in [from, to) (readers: the peak minute, summed across slots). */
export function articleTotals(buckets: Bucket[], from: number, to: number): Map<string, Counts> {
  // article -> minute -> counts summed across slots (readers summed), then totals over minutes (readers max).
  const perMinute = new Map<string, Map<number, Counts>>();
  for (const b of buckets) {
    const hour = new Date(b.hour).getTime();
    const arts: [string, [number, Counts][]][] = b.rolled
      ? Object.entries(b.at ?? {}).map(([k, c]) => [k, hour >= from && hour < to ? [[hour, c]] : []])
      : Object.entries(b.a ?? {}).map(([k, mins]) => [k, Object.entries(mins).map(([m, c]) => [hour + Number(m) * MINUTE_MS, c] as [number, Counts]).filter(([at]) => at >= from && at < to)]);
    for (const [k, list] of arts) {
      let m = perMinute.get(k);
      for (const [at, c] of list) {
        if (!m) perMinute.set(k, (m = new Map()));
        m.set(at, addInto(m.get(at) ?? {}, c, 'sum'));
      }
    }
  }
  const out = new Map<string, Counts>();
  for (const [k, mins] of perMinute) {
    const total: Counts = {};
    for (const c of mins.values()) addInto(total, c, 'max');
    out.set(articleOfField(k), total);
  }
  return out;
}
