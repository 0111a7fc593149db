// Reading the statistics: the buckets of the hours asked for, fetched by `_id` (site, hour,
// every slot that ever wrote) and summed (server/src/stats/counts.ts). Minutes for ranges up to
// `MINUTE_RANGE_MS` within the minute-resolution retention, hours beyond.
import type { StatsSeries, StatsTop, StatsTopArticle } from '../../../client-sdk/src/protocol';
import type { StatsStore } from '../store/stats';
import { HOUR_MS, MINUTE_MS, addInto, articleField, articleTotals, bucketId, floorTo, medianWaitMs, series, type Counts, type Resolution } from './counts';

/** Longest range served in minutes; longer ones come in hours. */
export const MINUTE_RANGE_MS = 48 * HOUR_MS;
/** Longest range served at all (each hour costs one look-up per slot). */
export const MAX_RANGE_MS = 31 * 24 * HOUR_MS;

export type TopBy = StatsTop['by'];

/** The series of `GET …/admin/stats`; the route adds the backlog. */
export type SeriesAnswer = Omit<StatsSeries, 'backlog'>;
export type TopArticle = StatsTopArticle;

export class StatsQueries {
  constructor(
    private readonly store: StatsStore,
    private readonly minuteDays: number,
    private readonly now: () => number = Date.now,
  ) {}

  resolutionFor(from: number, to: number): Resolution {
    return to - from <= MINUTE_RANGE_MS && from >= this.now() - this.minuteDays * 24 * HOUR_MS ? 'minute' : 'hour';
  }

  async series(site: string, from: number, to: number, article?: string): Promise<SeriesAnswer> {
    const resolution = this.resolutionFor(from, to);
    const projection = article === undefined ? { m: 1, t: 1 } : { [`a.${articleField(article)}`]: 1, [`at.${articleField(article)}`]: 1 };
    const buckets = await this.store.read(await this.ids(site, from, to), projection as Record<string, 1>);
    const points = series(buckets, { from, to, resolution, ...(article !== undefined ? { article } : {}) });
    const totals: Counts = {};
    for (const p of points) {
      const { at: _at, ...c } = p;
      addInto(totals, c);
    }
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), resolution, article: article ?? null, points, totals, medianWaitMs: medianWaitMs(totals.wait) };
  }

  /** The busiest articles of the last `windowMs`, by peak readers, comments posted or reactions. */
  async top(site: string, by: TopBy, windowMs: number, limit = 10): Promise<TopArticle[]> {
    const to = floorTo(this.now(), MINUTE_MS) + MINUTE_MS;
    const from = to - windowMs;
    const buckets = await this.store.read(await this.ids(site, from, to), { a: 1, at: 1 });
    const rows = [...articleTotals(buckets, from, to)].map(([article, c]) => ({
      article,
      readers: c.readers ?? 0,
      comments: c.posted ?? 0,
      reactions: c.reactions ?? 0,
      flags: c.flags ?? 0,
      held: c.held ?? 0,
    }));
    return rows
      .filter((r) => r[by] > 0)
      .sort((a, b) => b[by] - a[by] || a.article.localeCompare(b.article))
      .slice(0, limit);
  }

  private async ids(site: string, from: number, to: number): Promise<string[]> {
    const slots = await this.store.usedSlots();
    const ids: string[] = [];
    for (let h = floorTo(from, HOUR_MS); h < to; h += HOUR_MS) for (const s of slots) ids.push(bucketId(site, h, s));
    return ids;
  }
}
