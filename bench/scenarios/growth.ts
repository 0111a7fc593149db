// Growth: what a reader's and a writer's requests cost on a 100-comment article when the
// database is empty beside it, and when it holds many other comments and users (the target:
// 100,000 comments in 1,000 articles and 50,000 users). For each database a Charcha process
// reads every timed article once (building its thread and writing its snapshot) and stops;
// then a node that never saw them is timed on
// - page cold: the first page of an article it never held (from the snapshot, by `_id`);
// - page warm: the same page again (the node holds the thread);
// - post: a signed-in comment on the article (`POST …/comments`), by a stored user;
// - join: `article:join` then `article:leave` on a socket;
// - page cold, built: for reference, the first page of an article never read, so without a
//   snapshot (the listing the snapshot avoids).
// The two databases' cold nodes run side by side and take turns, request by request. For
// the reasons, the database alone is timed too, through the driver: a user and a snapshot by
// `_id`, and the listing of one article. Full over empty is the figure; the target is ≤ 1.2x.
// Knobs: GROWTH_COMMENTS, GROWTH_ARTICLES, GROWTH_USERS (what is stored beside),
// GROWTH_SAMPLES (articles read cold, and timed requests of each other kind).
import type { MongoClient } from 'mongodb';
import { io, type Socket } from 'socket.io-client';
import { articleKey, userKey } from '../../server/src/store/models';
import { compare, type ScenarioResult } from '../result';
import { seedArticle } from '../seed';
import { startCharcha, type RunningServer } from '../servers';
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
  const labels = ['empty', 'full'] as const;
  const dbs = { empty: await prepare(ctx, g, false), full: await prepare(ctx, g, true) };
  const times = Object.fromEntries(labels.map((l) => [l, Object.fromEntries([...KINDS, ...PROBES].map((k) => [k, [] as number[]]))])) as Record<Label, Record<Kind | Probe, number[]>>;
  const site = ctx.site.id;
  const nodes: Partial<Record<Label, RunningServer>> = {};
  const hits: Partial<Record<Label, number>> = {};
  // The two databases take turns, request by request, so a busy machine weighs on both alike.
  const turns = async (i: number, run: (label: Label, node: RunningServer) => Promise<void>) => {
    for (const label of i % 2 ? [...labels].reverse() : labels) await run(label, nodes[label]!);
  };
  try {
    for (const label of labels) nodes[label] = await startCharcha({ ...dbs[label].common, dataDir: `${ctx.dataDir}-${label}-c`, label: `growth-c-${label}` });
    for (let i = 0; i < g.samples; i++) await turns(i, async (l, n) => void times[l]['page cold'].push(await getPage(n.url, site, dbs[l].articles[i]!)));
    for (const label of labels) hits[label] = await snapshotHits(nodes[label]!.url);
    for (let i = 0; i < g.samples; i++) await turns(i, async (l, n) => void times[l]['page warm'].push(await getPage(n.url, site, dbs[l].articles[0]!)));
    const sockets = Object.fromEntries(await Promise.all(labels.map(async (l) => [l, await connect(nodes[l]!.url, site)] as const))) as Record<Label, Socket>;
    try {
      for (let i = 0; i < g.samples; i++) {
        await turns(i, async (l, n) => {
          const t = performance.now();
          const ack = (await sockets[l].timeout(30_000).emitWithAck('article:join', { article: dbs[l].articles[2] })) as { error?: unknown };
          if (ack.error) throw new Error(`growth: join answered ${JSON.stringify(ack.error)}`);
          times[l].join.push(performance.now() - t);
          await sockets[l].timeout(30_000).emitWithAck('article:leave', { article: dbs[l].articles[2] });
        });
      }
    } finally {
      for (const s of Object.values(sockets)) s.close();
    }
    // The database alone, through the driver: one stored user and one snapshot by `_id`, and
    // the listing a thread built from the database runs.
    for (let i = 0; i < g.samples; i++) {
      await turns(i, async (l) => {
        const db = ctx.driver.db(dbs[l].dbName);
        times[l]['driver user by _id'].push(await timed(() => db.collection('users').findOne({ _id: userKey(site, `poster-${i}`) as never })));
        times[l]['driver snapshot by _id'].push(await timed(() => db.collection('thread_snapshots').findOne({ _id: articleKey(site, dbs[l].articles[i]!) as never })));
        if (i < 5) times[l]['driver listing'].push(await timed(() => db.collection('comments').find({ site, article: dbs[l].articles[i], visible: true }).toArray()));
      });
    }
    // Posts last: each is followed by a recount of its article's counters (a listing).
    for (let i = 0; i < g.samples; i++) {
      await turns(i, async (l, n) => {
        const token = await signUserToken(ctx.site, `poster-${i}`, `Poster ${i}`);
        const t = performance.now();
        const res = await fetch(`${n.url}/api/v1/sites/${site}/articles/${dbs[l].articles[1]}/comments`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ body: `वृद्धि ${l} ${i}: a comment on a growing site`, clientId: `growth-${l}-${i}` }),
        });
        await res.arrayBuffer();
        if (res.status !== 201) throw new Error(`growth: post answered ${res.status}`);
        times[l].post.push(performance.now() - t);
      });
    }
    // For reference: articles never read, so without a snapshot, built from the database.
    for (let i = 0; i < BUILT; i++) await turns(i, async (l, n) => void times[l]['page cold, built'].push(await getPage(n.url, site, `growth-built-${i}`)));
  } finally {
    for (const n of Object.values(nodes)) await n.child.stop();
    for (const label of labels) await ctx.driver.db(dbs[label].dbName).dropDatabase();
  }
  const settings = { ...g, articleComments: TOP + REPLIES, seedSec: round(dbs.full.seedSec, 1) };
  return [...KINDS, ...PROBES].map((kind) => {
    const full = summarize(times.full[kind]);
    const empty = summarize(times.empty[kind]);
    const targeted = (KINDS as string[]).includes(kind) && kind !== 'page cold, built';
    return compare({
      scenario: `growth ${kind} p50`,
      metric: 'ms, full / empty database',
      charcha: round(full.p50),
      baseline: round(empty.p50),
      baselineName: 'same, empty database',
      target: targeted ? { text: '≤ 1.2x empty', atMost: 1.2 } : null,
      settings,
      detail: { full: { p50: round(full.p50), p99: round(full.p99), n: full.count }, empty: { p50: round(empty.p50), p99: round(empty.p99), n: empty.count }, snapshotHits: hits },
    });
  });
}

type Label = 'empty' | 'full';
type Probe = 'driver user by _id' | 'driver snapshot by _id' | 'driver listing';
const PROBES: Probe[] = ['driver user by _id', 'driver snapshot by _id', 'driver listing'];
/** Articles read without a snapshot, for reference. */
const BUILT = 3;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Seeds one database and has a node read every timed article once, so their snapshots are written. */
async function prepare(ctx: GrowthContext, g: GrowthSettings, filled: boolean) {
  const label = filled ? 'full' : 'empty';
  const dbName = `charcha_growth_${label}`;
  const db = ctx.driver.db(dbName);
  const site = ctx.site.id;
  // Started on the empty database, so its migrations have nothing to do, as on a site that grew.
  const common = { mongoUri: ctx.withDb(dbName), sitesFile: ctx.site.file, env: { THREAD_SNAPSHOT_MS: '100' } };
  const writer = await startCharcha({ ...common, dataDir: `${ctx.dataDir}-${label}-w`, label: `growth-w-${label}` });
  const articles = Array.from({ length: g.samples }, (_, i) => `growth-${i}`);
  let seedSec = 0;
  try {
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
    const built = Array.from({ length: BUILT }, (_, i) => `growth-built-${i}`);
    for (const article of [...articles, ...built]) await seedArticle(ctx.driver, dbName, { site, article, count: TOP, replies: REPLIES });
    // The posting users exist, as regular commenters do.
    await db.collection('users').insertMany(Array.from({ length: g.samples }, (_, i) => userDoc(site, `poster-${i}`)) as never[], { ordered: false });
    seedSec = (Date.now() - t0) / 1000;
    ctx.say(`growth (${label}): stored in ${round(seedSec, 1)} s`);
    for (const article of articles) await getPage(writer.url, site, article);
    const keys = articles.map((a) => articleKey(site, a));
    for (const started = Date.now(); (await db.collection('thread_snapshots').countDocuments({ _id: { $in: keys as never[] } })) < keys.length; ) {
      if (Date.now() - started > 120_000) throw new Error('growth: the snapshots were not written');
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await writer.child.stop();
  }
  return { dbName, articles, seedSec, common };
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
