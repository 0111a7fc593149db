// The cost of the engagement statistics on the post path: the same writers post through
// Socket.IO to two Charcha nodes, one counting (STATS=on, flushing every STATS_FLUSH_MS as in
// production) and one not (STATS=off), each on its own database of the same server, taking
// turns in short rounds so that a noisy machine weighs on each alike. Two figures: throughput,
// and the server's CPU time per comment (user + system, read from /proc around each round),
// which a busy machine moves much less than throughput. Target: within 10%.
import { Types } from 'mongoose';
import type { StatsStore } from '../../server/src/store/stats';
import type { CommentDoc } from '../../server/src/store/models';
import { StatsRecorder } from '../../server/src/stats/recorder';
import type { LoopReport } from '../load/timed-loop';
import { cpuSeconds } from '../processes';
import { compare, type ScenarioResult } from '../result';
import { startCharcha, type CharchaOptions } from '../servers';
import type { Settings } from '../settings';
import { signUserToken, type BenchSite } from '../site';
import { round } from '../stats';
import { total, WriteLoad } from './write';

const ARTICLE = 'bench-stats';
const COUNTED = 200_000;

/**
 * What counting adds to one post, measured alone: the recorder's watcher on a post's
 * transition, in this process (µs per post, over many, across 500 articles and the minutes
 * of an hour). The database side (one upsert per site and hour per flush) is off the path.
 */
export function countingCostUs(): number {
  let now = Date.UTC(2026, 0, 1, 9);
  const store = { write: async () => {}, noteSlot: async () => {} } as unknown as StatsStore;
  const r = new StatsRecorder({ store, slot: { current: async () => 0, close: async () => {} }, flushMs: 60_000, onError: () => {}, now: () => now });
  const docs = Array.from({ length: 500 }, (_, i) => ({ _id: new Types.ObjectId(), site: 'bench', article: `article-${i}`, status: i % 5 ? 'published' : 'pending', createdAt: new Date(now) }) as unknown as CommentDoc);
  const by = { id: 'u', name: 'u' };
  const t0 = performance.now();
  for (let i = 0; i < COUNTED; i++) {
    const after = docs[i % docs.length]!;
    now += 15; // an hour's minutes pass over the run
    r.watch({ site: 'bench', article: after.article, action: 'post', by, before: null, after });
  }
  return ((performance.now() - t0) * 1000) / COUNTED;
}

export async function runStatsCost(base: Omit<CharchaOptions, 'mongoUri'>, uris: { on: string; off: string }, site: BenchSite, settings: Settings, runId: string): Promise<ScenarioResult[]> {
  const [on, off] = await Promise.all([
    startCharcha({ ...base, mongoUri: uris.on, label: 'charcha-stats-on', env: { STATS: 'on' } }),
    startCharcha({ ...base, mongoUri: uris.off, label: 'charcha-stats-off', env: { STATS: 'off' } }),
  ]);
  const tokens = await Promise.all(Array.from({ length: settings.writers }, (_, i) => signUserToken(site, `stats-writer-${i}`, `Stats writer ${i}`)));
  const load = (url: string) => WriteLoad.start(`writers-${url.slice(-5)}`, 'bench/load/post-writers.ts', { URL: url, SITE: site.id, ARTICLE, TOKENS: JSON.stringify(tokens), RUN_ID: runId });
  const rounds = { on: [] as LoopReport[], off: [] as LoopReport[] };
  const cpu = { on: 0, off: 0 };
  const pid = { on: on.child.pid, off: off.child.pid };
  // Twice as many rounds of half the length as the write scenario: the load of a shared
  // machine changes by the second, and shorter turns spread it more evenly.
  const roundCount = settings.writeRounds * 2;
  const roundSec = Math.max(2, settings.writeSec / 2);
  try {
    const [postOn, postOff] = await Promise.all([load(on.url), load(off.url)]);
    try {
      for (let i = 0; i < roundCount; i++) {
        // Alternate which goes first, so neither always follows the other's flush.
        const order = i % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
        for (const which of order) {
          const before = cpuSeconds(pid[which]);
          rounds[which].push(await (which === 'on' ? postOn : postOff).run(settings.writeWarmupSec, roundSec));
          cpu[which] += cpuSeconds(pid[which]) - before;
        }
      }
    } finally {
      await Promise.all([postOn.stop(), postOff.stop()]);
    }
  } finally {
    await Promise.all([on.child.stop(), off.child.stop()]);
  }
  const seconds = roundSec * roundCount;
  const [withStats, without] = [total(rounds.on, seconds), total(rounds.off, seconds)];
  if (withStats.errors || without.errors) throw new Error(`stats scenario: posts refused: ${withStats.firstError ?? without.firstError}`);
  const settingsUsed = { writers: settings.writers, rounds: roundCount, secondsPerRound: roundSec, warmupSecPerRound: settings.writeWarmupSec, transport: 'Socket.IO comment:post', flushMs: 5000 };
  // CPU per comment: the whole round (warm-up included) over every comment acknowledged in it.
  const cpuPerPost = (which: 'on' | 'off', r: LoopReport) => round((1000 * cpu[which]) / r.total, 2);
  return [
    compare({
      scenario: 'post path with statistics',
      metric: 'comments/s',
      charcha: round(withStats.perSec, 1),
      baseline: round(without.perSec, 1),
      baselineName: 'Charcha, STATS=off',
      target: { text: '≥ 0.9x off', atLeast: 0.9 },
      settings: settingsUsed,
      detail: {
        on: { ...withStats, perRound: rounds.on.map((r) => round(r.perSec, 1)) },
        off: { ...without, perRound: rounds.off.map((r) => round(r.perSec, 1)) },
      },
    }),
    compare({
      scenario: 'counting one post',
      metric: 'µs per post',
      charcha: round(countingCostUs(), 2),
      baseline: round(cpuPerPost('off', without) * 1000, 0),
      baselineName: 'server CPU per comment, off',
      target: { text: '≤ 10% of a post', atMost: 0.1 },
      settings: { posts: COUNTED, articles: 500 },
    }),
    compare({
      scenario: 'post path with statistics, CPU',
      metric: 'server CPU ms per comment',
      charcha: cpuPerPost('on', withStats),
      baseline: cpuPerPost('off', without),
      baselineName: 'Charcha, STATS=off',
      target: { text: '≤ 1.1x off', atMost: 1.1 },
      settings: settingsUsed,
      detail: { cpuSeconds: { on: round(cpu.on, 2), off: round(cpu.off, 2) }, comments: { on: withStats.total, off: without.total } },
    }),
  ];
}
