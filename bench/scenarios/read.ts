// Reads: the first page and a deep page of an article with many comments, over Charcha's HTTP
// listing, against the driver's find with the same filter, sort and index. The comments are
// seeded straight into the database in the shape the server stores.
import type { MongoClient } from 'mongodb';
import { spawnNode } from '../processes';
import { seedArticle } from '../seed';
import { compare, type ScenarioResult } from '../result';
import type { RunningServer } from '../servers';
import type { Settings } from '../settings';
import { round, summarize } from '../stats';

export const READ_ARTICLE = 'bench-read';

/**
 * The cursor of the page that starts `offset` comments in (newest first). Tried first: the
 * cursor as the server writes it today (base64url JSON of the last id), checked by reading a
 * page with it; when the server answers otherwise, the listing is paged through instead.
 */
async function deepCursor(listing: string, offset: number, idsNewestFirst: string[]): Promise<{ cursor: string; lastId: string }> {
  const lastId = idsNewestFirst[offset - 1]!;
  const cursor = Buffer.from(JSON.stringify({ id: lastId })).toString('base64url');
  const res = await fetch(`${listing}?limit=1&cursor=${cursor}`, { signal: AbortSignal.timeout(60_000) });
  if (res.status === 200) {
    const page = (await res.json()) as { comments: { id: string }[] };
    if (page.comments[0]?.id === idsNewestFirst[offset]) return { cursor, lastId };
  }
  return pageThrough(listing, offset);
}

/** Pages through the listing to `offset` comments in (newest first); its cursor and last id. */
async function pageThrough(listing: string, offset: number): Promise<{ cursor: string; lastId: string }> {
  let cursor: string | null = null;
  let lastId = '';
  for (let seen = 0; seen < offset; ) {
    const limit = Math.min(100, offset - seen);
    const res = await fetch(`${listing}?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { signal: AbortSignal.timeout(60_000) });
    const page = (await res.json()) as { comments: { id: string }[]; nextCursor: string | null };
    if (res.status !== 200 || !page.nextCursor) throw new Error(`paging the listing failed at ${seen}: ${res.status}`);
    seen += page.comments.length;
    cursor = page.nextCursor;
    lastId = page.comments[page.comments.length - 1]!.id;
  }
  return { cursor: cursor!, lastId };
}

export async function runRead(
  charcha: RunningServer,
  site: string,
  driver: MongoClient,
  dbName: string,
  charchaUri: string,
  settings: Settings,
): Promise<ScenarioResult[]> {
  const t0 = Date.now();
  const ids = await seedArticle(driver, dbName, { site, article: READ_ARTICLE, count: settings.seededComments });
  const seedSec = (Date.now() - t0) / 1000;
  const listing = `${charcha.url}/api/v1/sites/${site}/articles/${READ_ARTICLE}/comments`;
  const { cursor, lastId } = await deepCursor(listing, settings.deepOffset, ids);

  const child = spawnNode('reads', 'bench/load/read-sampler.ts', {
    ipc: true,
    env: {
      URL: listing,
      CURSOR: cursor,
      MONGODB_URI: charchaUri,
      SITE: site,
      ARTICLE: READ_ARTICLE,
      DEEP_AFTER_ID: lastId,
      PAGE: String(settings.pageSize),
      SAMPLES: String(settings.readSamples),
      WARMUP: String(settings.readWarmup),
    },
  });
  const samples = await new Promise<Record<'httpFirst' | 'driverFirst' | 'httpDeep' | 'driverDeep' | 'driverCount', number[]>>((resolve, reject) => {
    child.proc.once('message', (m) => resolve(m as never));
    void child.exited.then((code) => reject(new Error(`read sampler exited (${code}) without a report`)));
  });

  const settingsOut = { comments: settings.seededComments, page: settings.pageSize, samples: settings.readSamples, seedSec: round(seedSec, 1) };
  const pair = (name: string, http: number[], raw: number[], deep: boolean): ScenarioResult[] => {
    const h = summarize(http);
    const d = summarize(raw);
    const s = { ...settingsOut, ...(deep ? { after: settings.deepOffset } : {}) };
    const count = summarize(samples.driverCount);
    const detail = { driverCountOnly: { p50: round(count.p50), p99: round(count.p99) }, charcha: { p50: round(h.p50), p99: round(h.p99), max: round(h.max) }, driver: { p50: round(d.p50), p99: round(d.p99), max: round(d.max) } };
    return [
      compare({ scenario: `read ${name} p50`, metric: 'ms per page', charcha: round(h.p50), baseline: round(d.p50), baselineName: 'driver find', target: null, settings: s }),
      compare({ scenario: `read ${name} p99`, metric: 'ms per page', charcha: round(h.p99), baseline: round(d.p99), baselineName: 'driver find', target: { text: '≤ 1.5x raw', atMost: 1.5 }, settings: s, detail }),
    ];
  };
  return [...pair('first page', samples.httpFirst, samples.driverFirst, false), ...pair('deep page', samples.httpDeep, samples.driverDeep, true)];
}
