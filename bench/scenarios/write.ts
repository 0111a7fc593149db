// Write throughput: comments per second through Charcha's whole path (token, validation,
// sanitizing, pipeline, limits, database writes, event log, fan-out to readers), against
// insertOne of the same documents with the driver, at the same concurrency, same database.
// The two take turns in rounds, so that a noisy machine weighs on each alike.
import type { MongoClient } from 'mongodb';
import type { ReaderFleets } from '../load/fleet';
import type { LoopReport, RunCommand } from '../load/timed-loop';
import { cpuSeconds, spawnNode, type NodeChild } from '../processes';
import { compare, type ScenarioResult } from '../result';
import type { RunningServer } from '../servers';
import type { Settings } from '../settings';
import { signUserToken, type BenchSite } from '../site';
import { round } from '../stats';

export const WRITE_ARTICLE = 'bench-write';

/** A write generator in its own process, run on command. */
export class WriteLoad {
  private constructor(private readonly child: NodeChild) {}

  static async start(label: string, script: string, env: Record<string, string>): Promise<WriteLoad> {
    const load = new WriteLoad(spawnNode(label, script, { env, ipc: true }));
    await load.next();
    return load;
  }

  private next<T>(): Promise<T> {
    return new Promise((resolve, reject) => {
      this.child.proc.once('message', (m) => resolve(m as T));
      void this.child.exited.then((code) => reject(new Error(`write load exited (${code})`)));
    });
  }

  get pid(): number {
    return this.child.pid;
  }

  async run(warmupSec: number, seconds: number): Promise<LoopReport> {
    const answer = this.next<LoopReport>();
    this.child.proc.send({ cmd: 'run', warmupSec, seconds } satisfies RunCommand);
    return answer;
  }

  async stop(): Promise<void> {
    this.child.proc.send({ cmd: 'exit' });
    await this.child.exited;
  }
}

export function total(reports: LoopReport[], seconds: number): LoopReport {
  const inWindow = reports.reduce((a, r) => a + r.inWindow, 0);
  return {
    perSec: inWindow / seconds,
    inWindow,
    total: reports.reduce((a, r) => a + r.total, 0),
    errors: reports.reduce((a, r) => a + r.errors, 0),
    firstError: reports.find((r) => r.firstError)?.firstError,
  };
}

/** CPU seconds per second of wall time that each process spent while `fn` ran. */
async function cpuShare(pids: Record<string, number | undefined>, fn: () => Promise<void>): Promise<Record<string, number>> {
  const known = Object.entries(pids).filter((e): e is [string, number] => e[1] !== undefined);
  const before = known.map(([, pid]) => cpuSeconds(pid));
  const t0 = Date.now();
  await fn();
  const wall = (Date.now() - t0) / 1000;
  return Object.fromEntries(known.map(([name, pid], i) => [name, round((cpuSeconds(pid) - before[i]!) / wall, 2)]));
}

export async function runWrite(
  databasePid: number | undefined,
  charcha: RunningServer,
  site: BenchSite,
  fleets: ReaderFleets,
  driver: MongoClient,
  dbName: string,
  rawUri: string,
  settings: Settings,
  runId: string,
): Promise<ScenarioResult[]> {
  const c = await fleets.connect('write', charcha.url, site.id, WRITE_ARTICLE, settings.writeReaders);
  if (c.connected !== settings.writeReaders) throw new Error(`write scenario: ${c.connected} readers connected (${c.firstError})`);
  const tokens = await Promise.all(Array.from({ length: settings.writers }, (_, i) => signUserToken(site, `writer-${i}`, `Writer ${i}`)));
  const indexes = await driver.db(dbName).collection('comments').listIndexes().toArray();
  const [posts, inserts] = await Promise.all([
    WriteLoad.start('writers', 'bench/load/post-writers.ts', { URL: charcha.url, SITE: site.id, ARTICLE: WRITE_ARTICLE, TOKENS: JSON.stringify(tokens), RUN_ID: runId }),
    WriteLoad.start('inserts', 'bench/load/raw-inserts.ts', {
      MONGODB_URI: rawUri,
      COLLECTION: 'raw_comments',
      INDEXES: JSON.stringify(indexes),
      WRITERS: String(settings.writers),
      SITE: site.id,
      ARTICLE: WRITE_ARTICLE,
    }),
  ]);
  const charchaRounds: LoopReport[] = [];
  const rawRounds: LoopReport[] = [];
  const charchaCpu: Record<string, number>[] = [];
  const rawCpu: Record<string, number>[] = [];
  try {
    for (let i = 0; i < settings.writeRounds; i++) {
      charchaCpu.push(
        await cpuShare({ charcha: charcha.child.pid, database: databasePid, writers: posts.pid }, async () => {
          charchaRounds.push(await posts.run(settings.writeWarmupSec, settings.writeSec));
        }),
      );
      rawCpu.push(
        await cpuShare({ database: databasePid, inserts: inserts.pid }, async () => {
          rawRounds.push(await inserts.run(settings.writeWarmupSec, settings.writeSec));
        }),
      );
    }
  } finally {
    await Promise.all([posts.stop(), inserts.stop()]);
  }
  await new Promise((r) => setTimeout(r, 500));
  const { delivered } = await fleets.receipts();
  await fleets.disconnect();

  const seconds = settings.writeSec * settings.writeRounds;
  const charchaTotal = total(charchaRounds, seconds);
  const rawTotal = total(rawRounds, seconds);
  if (charchaTotal.errors) throw new Error(`write scenario: ${charchaTotal.errors} posts refused: ${charchaTotal.firstError}`);
  const expectedDeliveries = charchaTotal.total * settings.writeReaders;
  return [
    compare({
      scenario: 'write throughput',
      metric: 'comments/s',
      charcha: round(charchaTotal.perSec, 1),
      baseline: round(rawTotal.perSec, 1),
      baselineName: 'driver insertOne',
      target: { text: '≥ 50% of raw', atLeast: 0.5 },
      settings: {
        writers: settings.writers,
        readers: settings.writeReaders,
        rounds: settings.writeRounds,
        secondsPerRound: settings.writeSec,
        warmupSecPerRound: settings.writeWarmupSec,
        transport: 'Socket.IO comment:post',
      },
      detail: {
        charcha: { ...charchaTotal, perRound: charchaRounds.map((r) => round(r.perSec, 1)), delivered, expectedDeliveries, cpuPerSecond: charchaCpu },
        raw: { ...rawTotal, perRound: rawRounds.map((r) => round(r.perSec, 1)), cpuPerSecond: rawCpu },
      },
    }),
  ];
}
