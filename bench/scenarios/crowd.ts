// Crowds of readers. `crowd`: N widget loads (the article view, then the first page; 64 in
// flight) on Charcha against a bare Express route serving the very same bytes from memory,
// taking turns; then the same N readers joining the article's room (from the page's seq) on
// Charcha and on a bare Socket.IO server. `big thread`: the first page of a 10,000-comment
// article, one request at a time, against the bare route serving its bytes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MongoClient } from 'mongodb';
import { nowMs } from '../clock';
import type { ReaderFleets } from '../load/fleet';
import { cpuSeconds, freePort, spawnNode, waitForHttp, type NodeChild } from '../processes';
import { compare, type ScenarioResult } from '../result';
import { seedArticle } from '../seed';
import { startBareSocketIo, type RunningServer } from '../servers';
import type { Settings } from '../settings';
import { round, summarize } from '../stats';

export const CROWD_ARTICLE = 'bench-crowd';
export const BIG_ARTICLE = 'bench-big';
/** The widget's first page: 20 newest top-level comments with their first replies. */
const WIDGET_PAGE = 20;

interface LoadRun {
  seconds: number;
  samples: number[];
  errors: number;
  firstError?: string;
}

/** The load process: runs loads on command. */
class Loader {
  private constructor(private readonly child: NodeChild) {}

  static start(): Loader {
    return new Loader(spawnNode('widget-loads', 'bench/load/widget-loads.ts', { ipc: true }));
  }

  run(urls: string[], loads: number, concurrency: number): Promise<LoadRun> {
    return new Promise((resolve, reject) => {
      this.child.proc.once('message', (m) => {
        const r = m as LoadRun;
        if (r.errors > 0) reject(new Error(`${r.errors} failed loads: ${r.firstError}`));
        else resolve(r);
      });
      this.child.proc.send({ urls, loads, concurrency });
    });
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}

/** A bare Express server answering each path with the given JSON text. */
async function startBareExpress(bodies: Record<string, string>): Promise<{ url: string; child: NodeChild }> {
  const dir = mkdtempSync(join(tmpdir(), 'charcha-bare-'));
  const file = join(dir, 'bodies.json');
  writeFileSync(file, JSON.stringify(bodies));
  const port = await freePort();
  const child = spawnNode('bare-express', 'bench/baselines/bare-express.ts', { env: { PORT: String(port), HOST: '127.0.0.1', BODIES: file } });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, child);
  return { url, child };
}

async function text(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return res.text();
}

/**
 * Runs Charcha's and the baseline's loads in turns; answers each side's runs and, given the
 * server processes, the CPU time each spent on its own runs (seconds).
 */
async function inTurns(loader: Loader, rounds: number, sides: { charcha: string[]; bare: string[] }, loads: number, concurrency: number, pids?: { charcha: number; bare: number }) {
  const runs = { charcha: [] as LoadRun[], bare: [] as LoadRun[] };
  const cpu = { charcha: 0, bare: 0 };
  for (let r = 0; r < rounds; r++) {
    for (const side of ['charcha', 'bare'] as const) {
      const before = pids ? cpuSeconds(pids[side]) : 0;
      runs[side].push(await loader.run(sides[side], loads, concurrency));
      if (pids) cpu[side] += cpuSeconds(pids[side]) - before;
    }
  }
  return { runs, cpu };
}

const rate = (runs: LoadRun[]) => runs.reduce((a, r) => a + r.samples.length, 0) / runs.reduce((a, r) => a + r.seconds, 0);
const samplesOf = (runs: LoadRun[]) => runs.flatMap((r) => r.samples);

export async function runCrowd(charcha: RunningServer, site: string, driver: MongoClient, dbName: string, fleets: ReaderFleets, settings: Settings): Promise<ScenarioResult[]> {
  await seedArticle(driver, dbName, { site, article: CROWD_ARTICLE, count: 60, replies: 30 });
  const base = `${charcha.url}/api/v1/sites/${site}/articles/${CROWD_ARTICLE}`;
  const charchaUrls = [base, `${base}/comments?limit=${WIDGET_PAGE}`];
  const [articleJson, pageJson] = [await text(charchaUrls[0]!), await text(charchaUrls[1]!)];
  const pageSeq = (JSON.parse(pageJson) as { seq?: number }).seq;
  const bare = await startBareExpress({ '/article': articleJson, '/comments': pageJson });
  const loader = Loader.start();
  const loads = settings.crowdLoads;
  const inFlight = settings.crowdConcurrency;
  let runs;
  let cpu;
  try {
    const sides = { charcha: charchaUrls, bare: [`${bare.url}/article`, `${bare.url}/comments`] };
    await inTurns(loader, 1, sides, Math.min(200, loads), inFlight); // warm-up
    ({ runs, cpu } = await inTurns(loader, settings.crowdRounds, sides, loads, inFlight, { charcha: charcha.child.pid, bare: bare.child.pid }));
  } finally {
    await loader.stop();
    await bare.child.stop();
  }

  // The same readers join the room: Charcha from the page's seq, the bare server plainly.
  const bareIo = await startBareSocketIo();
  const joinSeconds = { charcha: 0, bare: 0 };
  const perProcess = Math.max(1, Math.ceil(inFlight / fleets.size));
  try {
    for (const [name, url] of [['charcha', charcha.url], ['bare', bareIo.url]] as const) {
      const t0 = nowMs();
      const r = await fleets.connect(`crowd-${name}`, url, site, CROWD_ARTICLE, loads, perProcess, name === 'charcha' ? pageSeq : undefined);
      joinSeconds[name] = (nowMs() - t0) / 1000;
      if (r.failed > 0) throw new Error(`crowd join on ${name}: ${r.failed} failed: ${r.firstError}`);
      await fleets.disconnect();
    }
  } finally {
    await bareIo.child.stop();
  }

  const c = summarize(samplesOf(runs.charcha));
  const b = summarize(samplesOf(runs.bare));
  const s = { loads, inFlight, rounds: settings.crowdRounds, pageBytes: pageJson.length, articleBytes: articleJson.length };
  const detail = { charcha: { p50: round(c.p50), p99: round(c.p99), max: round(c.max) }, bare: { p50: round(b.p50), p99: round(b.p99), max: round(b.max) } };
  // CPU per load moves less with a busy machine than loads/s do (10 ms clock ticks: 2,000 loads a round keep that small).
  const cpuPerLoad = (seconds: number) => round((seconds * 1e6) / (loads * settings.crowdRounds), 0);
  return [
    compare({ scenario: 'crowd widget loads', metric: 'loads/s, 64 in flight', charcha: round(rate(runs.charcha), 1), baseline: round(rate(runs.bare), 1), baselineName: 'bare Express, same bytes', target: { text: '≥ 0.5x bare', atLeast: 0.5 }, settings: s, detail }),
    compare({ scenario: 'crowd server CPU per load', metric: 'µs of server CPU per load', charcha: cpuPerLoad(cpu!.charcha), baseline: cpuPerLoad(cpu!.bare), baselineName: 'bare Express, same bytes', target: null, settings: s }),
    compare({ scenario: 'crowd widget load p50', metric: 'ms per load', charcha: round(c.p50), baseline: round(b.p50), baselineName: 'bare Express, same bytes', target: null, settings: s }),
    compare({ scenario: 'crowd widget load p99', metric: 'ms per load', charcha: round(c.p99), baseline: round(b.p99), baselineName: 'bare Express, same bytes', target: { text: '≤ 2x bare', atMost: 2 }, settings: s, detail }),
    compare({ scenario: 'crowd join all', metric: `s to connect and join ${loads}`, charcha: round(joinSeconds.charcha), baseline: round(joinSeconds.bare), baselineName: 'bare Socket.IO', target: { text: '≤ 1.5x bare', atMost: 1.5 }, settings: { readers: loads, inFlight: perProcess * fleets.size, since: pageSeq } }),
  ];
}

export async function runBigThread(charcha: RunningServer, site: string, driver: MongoClient, dbName: string, settings: Settings): Promise<ScenarioResult[]> {
  const t0 = Date.now();
  await seedArticle(driver, dbName, { site, article: BIG_ARTICLE, count: settings.bigThreadComments });
  const seedSec = (Date.now() - t0) / 1000;
  const url = `${charcha.url}/api/v1/sites/${site}/articles/${BIG_ARTICLE}/comments?limit=${WIDGET_PAGE}`;
  const t1 = nowMs();
  const pageJson = await text(url); // the node builds the thread: one read of the article's comments
  const buildMs = nowMs() - t1;
  const bare = await startBareExpress({ '/comments': pageJson });
  const loader = Loader.start();
  let runs;
  try {
    const sides = { charcha: [url], bare: [`${bare.url}/comments`] };
    await inTurns(loader, 1, sides, 20, 1);
    ({ runs } = await inTurns(loader, 2, sides, settings.bigThreadSamples, 1));
  } finally {
    await loader.stop();
    await bare.child.stop();
  }
  const c = summarize(samplesOf(runs.charcha));
  const b = summarize(samplesOf(runs.bare));
  const s = { comments: settings.bigThreadComments, page: WIDGET_PAGE, samples: 2 * settings.bigThreadSamples, seedSec: round(seedSec, 1) };
  const detail = { firstReadMs: round(buildMs), charcha: { p50: round(c.p50), p99: round(c.p99), max: round(c.max) }, bare: { p50: round(b.p50), p99: round(b.p99), max: round(b.max) } };
  return [
    compare({ scenario: 'big thread first page p50', metric: 'ms per page', charcha: round(c.p50), baseline: round(b.p50), baselineName: 'bare Express, same bytes', target: null, settings: s }),
    compare({ scenario: 'big thread first page p99', metric: 'ms per page', charcha: round(c.p99), baseline: round(b.p99), baselineName: 'bare Express, same bytes', target: { text: '≤ 2x bare', atMost: 2 }, settings: s, detail }),
  ];
}
