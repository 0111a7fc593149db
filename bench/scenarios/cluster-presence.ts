// Presence on a cluster: three Charcha nodes sharing one database and one Redis (a
// redis-server of our own). Two articles fill up with readers spread evenly over the nodes: a
// small crowd in one, a crowd ten times larger in the other. Then a few probe readers (the same
// number on each node) join a room all at once and leave it again, in short rounds that take
// turns between the rooms; each `article:join` acknowledgement (whose answer carries the
// article's viewers across the cluster) is timed. A join must cost the same whatever the room's
// size, so the large room's p99 is held against the small room's. Also measured: each crowd's own joins while filling up, and how
// long after the last of them every node's GET /articles/:a counts the whole crowd.
import type { Socket } from 'socket.io-client';
import { startRedis } from '../../tests/helpers/cluster';
import { nowMs, sleep } from '../clock';
import type { ReaderFleets } from '../load/fleet';
import { compare, type ScenarioResult } from '../result';
import { startCharcha, type RunningServer } from '../servers';
import type { Settings } from '../settings';
import { round, summarize, type Summary } from '../stats';
import { ack, connectWriter } from './fanout';

const NODES = 3;
/** How long the nodes' counts may take to agree after the last join. */
const SETTLE_TIMEOUT_MS = 30_000;

interface Crowd {
  article: string;
  readers: number;
  /** The crowd's own joins, while the room filled up. */
  fill: Summary;
  /** Readers and probe joins that failed (a healthy run has none). */
  failed: { count: number; first?: string };
  /** From the last join's answer until every node's GET counts the whole crowd; null: never. */
  settledMs: number | null;
  /** Probe joins into the full room. */
  probe: number[];
}

async function viewers(node: RunningServer, site: string, article: string): Promise<number> {
  const res = await fetch(`${node.url}/api/v1/sites/${site}/articles/${article}`, { signal: AbortSignal.timeout(10_000) });
  return ((await res.json()) as { viewers: number }).viewers;
}

/**
 * Fills the article with `readers` readers over the nodes, then waits for every node to count
 * those that joined. Failed joins are counted and reported, not fatal: the scenario also
 * measures older code, which fails some under load.
 */
async function fill(nodes: RunningServer[], fleets: ReaderFleets, site: string, article: string, readers: number, settings: Settings): Promise<Crowd> {
  const share = (i: number) => Math.floor(readers / NODES) + (i < readers % NODES ? 1 : 0);
  const concurrency = Math.max(1, Math.round(settings.presenceJoinsInFlight / NODES / fleets.size));
  const results = await Promise.all(nodes.map((n, i) => fleets.connect(`${article}-${i}`, n.url, site, article, share(i), concurrency)));
  const connected = results.reduce((a, r) => a + r.connected, 0);
  const failed = { count: readers - connected, first: results.find((r) => r.firstError)?.firstError };
  if (connected < readers / 2) throw new Error(`cluster presence: only ${connected} of ${readers} readers joined (${failed.first})`);
  const lastJoin = nowMs();
  let settledMs: number | null = null;
  while (nowMs() - lastJoin < SETTLE_TIMEOUT_MS) {
    const seen = await Promise.all(nodes.map((n) => viewers(n, site, article)));
    if (seen.every((v) => v === connected)) {
      settledMs = nowMs() - lastJoin;
      break;
    }
    await sleep(50);
  }
  return { article, readers, failed, fill: summarize(results.flatMap((r) => r.joinMs)), settledMs, probe: [] };
}

/** All probes join the room at once (timed) and leave it again. */
async function probeRound(probes: Socket[], crowd: Crowd): Promise<void> {
  await Promise.all(
    probes.map(async (p) => {
      const sent = nowMs();
      try {
        const answer = await ack<{ viewers?: number; error?: { message: string } }>(p, 'article:join', { article: crowd.article });
        if (answer.viewers === undefined) throw new Error(`article:join refused: ${answer.error?.message}`);
        crowd.probe.push(nowMs() - sent);
        await ack(p, 'article:leave', { article: crowd.article });
      } catch (err) {
        crowd.failed.count++;
        crowd.failed.first ??= (err as Error).message;
      }
    }),
  );
}

export async function runClusterPresence(opts: { mongoUri: string; sitesFile: string; dataDir: string }, fleets: ReaderFleets, site: string, settings: Settings): Promise<ScenarioResult[]> {
  const redis = await startRedis();
  const nodes: RunningServer[] = [];
  const probes: Socket[] = [];
  try {
    nodes.push(...(await Promise.all(Array.from({ length: NODES }, (_, i) => startCharcha({ ...opts, dataDir: `${opts.dataDir}-${i}`, redisUrl: redis.url, label: `node-${i}` })))));
    // Warm each node's connection and join path once.
    await fill(nodes, fleets, site, 'bench-presence-warm', NODES * fleets.size * 10, settings);
    await fleets.disconnect();
    const [smallN, largeN] = settings.presenceCrowds;
    const small = await fill(nodes, fleets, site, `bench-presence-${smallN}`, smallN, settings);
    const large = await fill(nodes, fleets, site, `bench-presence-${largeN}`, largeN, settings);
    for (const n of nodes) for (let i = 0; i < settings.presenceProbesPerNode; i++) probes.push(await connectWriter(n.url, { site }));
    // Small, large, large, small, ...: short rounds in both rooms alike, so that a stall of the
    // machine (it is shared) falls on both, and a drift over the run cancels out.
    const order = [small, large, large, small];
    for (let r = 0; r < 2 * settings.presenceProbeRounds; r++) await probeRound(probes, order[r % 4]!);
    return presenceResults(small, large, settings);
  } finally {
    for (const p of probes) p.close();
    await fleets.disconnect();
    for (const n of nodes) await n.child.stop();
    await redis.stop();
  }
}

function presenceResults(small: Crowd, large: Crowd, settings: Settings): ScenarioResult[] {
  const common = {
    nodes: NODES,
    crowds: settings.presenceCrowds,
    probes: `${settings.presenceProbesPerNode} per node joining at once; ${settings.presenceProbeRounds} rounds in each room, taking turns`,
    fillJoinsInFlight: settings.presenceJoinsInFlight,
  };
  const summary = (xs: number[] | Summary) => {
    const s = Array.isArray(xs) ? summarize(xs) : xs;
    return { samples: s.count, p50: round(s.p50), p99: round(s.p99), max: round(s.max), mean: round(s.mean) };
  };
  const detail = (c: Crowd) => ({ readers: c.readers, failed: c.failed, probe: summary(c.probe), fill: summary(c.fill), settledMs: c.settledMs === null ? null : round(c.settledMs, 0) });
  const [sp, lp] = [summarize(small.probe), summarize(large.probe)];
  const vs = `joining a room of ${small.readers}`;
  return [
    compare({
      scenario: `cluster presence join p50, room of ${large.readers}`,
      metric: 'ms, join → ack',
      charcha: round(lp.p50),
      baseline: round(sp.p50),
      baselineName: vs,
      target: null,
      settings: common,
    }),
    compare({
      scenario: `cluster presence join p99, room of ${large.readers}`,
      metric: 'ms, join → ack',
      charcha: round(lp.p99),
      baseline: round(sp.p99),
      baselineName: vs,
      target: { text: `≤ 1.5x at ${small.readers}`, atMost: 1.5 },
      settings: common,
      detail: { small: detail(small), large: detail(large) },
    }),
    compare({
      scenario: `cluster presence settles, ${large.readers} readers`,
      metric: 'ms, last join → every node counts all',
      charcha: large.settledMs === null ? null : round(large.settledMs, 0),
      baseline: small.settledMs === null ? null : round(small.settledMs, 0),
      baselineName: `the same for ${small.readers}`,
      target: null,
      settings: common,
    }),
  ];
}
