// Growth: what a reader's and a writer's requests cost on a 100-comment article when the
// database is empty beside it, and when it holds many other comments and users (the target:
// 100,000 comments in 1,000 articles and 50,000 users). Each database gets its own two
// Charcha processes: one that reads every timed article once (building its thread and writing
// its snapshot), then a node that never saw them, timed on
// - page cold: the first page of an article it never held (from the snapshot, by `_id`);
// - page warm: the same page again (the node holds the thread);
// - post: a signed-in comment on the article (`POST …/comments`), by a stored user;
// - join: `article:join` then `article:leave` on a socket;
// - page cold, built: for reference, the first page of an article whose snapshot was removed
//   (the listing query the snapshot avoids).
// Full over empty is the figure; the target is ≤ 1.2x. Knobs: GROWTH_COMMENTS,
// GROWTH_ARTICLES, GROWTH_USERS (what is stored beside), GROWTH_SAMPLES (articles read cold,
// and timed requests of each other kind).
import type { MongoClient } from 'mongodb';
import { io, type Socket } from 'socket.io-client';
import { articleKey, userKey } from '../../server/src/store/models';
import { compare, type ScenarioResult } from '../result';
import { seedArticle } from '../seed';
import { startCharcha } from '../servers';
import { signUserToken, type BenchSite } from '../site';
import { round, summarize } from '../stats';

export interface GrowthSettings {
  comments: number;
  articles: number;
  users: number;
  samples: number;
}

export function growthSettings(env: NodeJS.ProcessEnv, quick: boolean): GrowthSettings {
  const n = (name: string, full: number, fast: number) => Number(env[name] ?? (quick ? fast : full));
  return { comments: n('GROWTH_COMMENTS', 100_000, 10_000), articles: n('GROWTH_ARTICLES', 1_000, 100), users: n('GROWTH_USERS', 50_000, 5_000), samples: n('GROWTH_SAMPLES', 30, 15) };
}

export interface GrowthContext {
  driver: MongoClient;
  withDb(name: string): string;
  site: BenchSite;
  dataDir: string;
  say(msg: string): void;
}

type Kind = 'page cold' | 'page warm' | 'post' | 'join' | 'page cold, built';
const KINDS: Kind[] = ['page cold', 'page warm', 'post', 'join', 'page cold, built'];
/** Comments of each timed article: 70 top-level, 30 replies. */
const TOP = 70;
const REPLIES = 30;

export async function runGrowth(ctx: GrowthContext, g: GrowthSettings): Promise<ScenarioResult[]> {
  const empty = await measure(ctx, g, false);
  const full = await measure(ctx, g, true);
  const settings = { ...g, articleComments: TOP + REPLIES };
  return KINDS.map((kind) =>
    compare({
      scenario: `growth ${kind} p50`,
      metric: 'ms, full / empty database',
      charcha: round(full.times[kind].p50),
      baseline: round(empty.times[kind].p50),
      baselineName: 'same, empty database',
      target: kind === 'page cold, built' ? null : { text: '≤ 1.2x empty', atMost: 1.2 },
      settings: { ...settings, seedSec: round(full.seedSec, 1) },
      detail: {
        full: { p50: round(full.times[kind].p50), p99: round(full.times[kind].p99), n: full.times[kind].count },
        empty: { p50: round(empty.times[kind].p50), p99: round(empty.times[kind].p99), n: empty.times[kind].count },
        snapshotHits: { full: full.hits, empty: empty.hits },
      },
    }),
  );
}

async function measure(ctx: GrowthContext, g: GrowthSettings, filled: boolean) {
  const label = filled ? 'full' : 'empty';
  const dbName = `charcha_growth_${label}`;
  const db = ctx.driver.db(dbName);
  const site = ctx.site.id;
  const t0 = Date.now();
  if (filled) {
    ctx.say(`growth: storing ${g.comments} comments in ${g.articles} articles and ${g.users} users beside`);
    const per = Math.max(1, Math.floor(g.comments / g.articles));
    for (let a = 0; a < g.articles; a++) await seedArticle(ctx.driver, dbName, { site, article: `filler-${a}`, count: per });
    for (let from = 0; from < g.users; from += 1000) {
      const docs = [];
      for (let u = from; u < Math.min(g.users, from + 1000); u++) docs.push(userDoc(site, `reader-${u}`));
      await db.collection('users').insertMany(docs as never[], { ordered: false });
    }
  }
  const articles = Array.from({ length: g.samples }, (_, i) => `growth-${i}`);
  const built = [0, 1, 2].map((i) => `growth-built-${i}`);
  for (const article of [...articles, ...built]) await seedArticle(ctx.driver, dbName, { site, article, count: TOP, replies: REPLIES });
  // The posting users exist, as regular commenters do.
  await db.collection('users').insertMany(Array.from({ length: g.samples }, (_, i) => userDoc(site, `poster-${i}`)) as never[], { ordered: false }).catch(() => undefined);
  const seedSec = (Date.now() - t0) / 1000;
  ctx.say(`growth (${label}): stored in ${round(seedSec, 1)} s`);

  const env = { THREAD_SNAPSHOT_MS: '100' };
  const common = { mongoUri: ctx.withDb(dbName), sitesFile: ctx.site.file, env };
  const writer = await startCharcha({ ...common, dataDir: `${ctx.dataDir}-${label}-w`, label: `growth-w-${label}` });
  const times = Object.fromEntries(KINDS.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
  let hits = 0;
  try {
    for (const article of articles) await getPage(writer.url, site, article);
    const keys = articles.map((a) => articleKey(site, a));
    for (const started = Date.now(); (await db.collection('thread_snapshots').countDocuments({ _id: { $in: keys as never[] } })) < keys.length; ) {
      if (Date.now() - started > 120_000) throw new Error('growth: the snapshots were not written');
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await writer.child.stop();
  }
  const cold = await startCharcha({ ...common, dataDir: `${ctx.dataDir}-${label}-c`, label: `growth-c-${label}` });
  try {
    for (const article of articles) times['page cold'].push(await getPage(cold.url, site, article));
    hits = await snapshotHits(cold.url);
    for (let i = 0; i < g.samples; i++) times['page warm'].push(await getPage(cold.url, site, articles[0]!));
    for (let i = 0; i < g.samples; i++) {
      const token = await signUserToken(ctx.site, `poster-${i}`, `Poster ${i}`);
      const t = performance.now();
      const res = await fetch(`${cold.url}/api/v1/sites/${site}/articles/${articles[1]}/comments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ body: `वृद्धि ${label} ${i}: a comment on a growing site`, clientId: `growth-${label}-${i}` }),
      });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`growth: post answered ${res.status}`);
      times.post.push(performance.now() - t);
    }
    const socket = await connect(cold.url, site);
    try {
      for (let i = 0; i < g.samples; i++) {
        const t = performance.now();
        const ack = (await socket.timeout(30_000).emitWithAck('article:join', { article: articles[2] })) as { error?: unknown };
        if (ack.error) throw new Error(`growth: join answered ${JSON.stringify(ack.error)}`);
        times.join.push(performance.now() - t);
        await socket.timeout(30_000).emitWithAck('article:leave', { article: articles[2] });
      }
    } finally {
      socket.close();
    }
    // For reference: articles never read, so without a snapshot: built from the database
    // (three are enough to see what the listing costs).
    for (const article of built) times['page cold, built'].push(await getPage(cold.url, site, article));
  } finally {
    await cold.child.stop();
  }
  await ctx.driver.db(dbName).dropDatabase();
  return { seedSec, hits, times: Object.fromEntries(KINDS.map((k) => [k, summarize(times[k])])) as Record<Kind, ReturnType<typeof summarize>> };
}

async function getPage(url: string, site: string, article: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(`${url}/api/v1/sites/${site}/articles/${article}/comments?limit=20`);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`growth: page answered ${res.status}`);
  return performance.now() - t;
}

async function snapshotHits(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^charcha_thread_snapshot_reads_total\{result="hit"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

function connect(url: string, site: string): Promise<Socket> {
  const socket = io(url, { auth: { site }, transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function userDoc(site: string, userId: string) {
  return { _id: userKey(site, userId), site, userId, name: userId, state: 'active', bannedUntil: null, reason: null, comments: 1, rejected: 0, spam: 0, createdAt: new Date() };
}
