// Fan-out latency and memory per idle reader. One writer, N readers in one article room, on
// Charcha and on the bare Socket.IO server in turn; the latency of a comment is the time from
// the writer's send to each reader's receipt. RSS of the server is read before the readers
// connect and once they sit idle in the room.
import { io, type Socket } from 'socket.io-client';
import { nowMs, sleep } from '../clock';
import { commentBody } from '../comment-doc';
import type { ReaderFleets } from '../load/fleet';
import { collectGarbage } from '../inspector';
import { rssBytes } from '../processes';
import { compare, type ScenarioResult } from '../result';
import type { RunningServer } from '../servers';
import type { Settings } from '../settings';
import { summarize, round, type Summary } from '../stats';

export const FANOUT_ARTICLE = 'bench-fanout';
const WARMUP_MESSAGES = 3;
const DELIVERY_TIMEOUT_MS = 30_000;

export interface FanoutRun {
  latency: Summary;
  lost: number;
  before: Memory;
  after: Memory;
  readers: number;
  connectSec: number;
}

/** How a writer sends comment number `marker` to the room and waits for its acknowledgement. */
type Send = (marker: number) => Promise<void>;

export async function connectWriter(url: string, auth: Record<string, string>): Promise<Socket> {
  const socket = io(url, { auth, transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

export function ack<T>(socket: Socket, event: string, payload: unknown): Promise<T> {
  return socket.timeout(30_000).emitWithAck(event, payload) as Promise<T>;
}

/** Sends to Charcha as the widget does: `comment:post` with a signed-in user's token. */
export function charchaSender(writer: Socket, runId: string, onFirst: (comment: Record<string, unknown>) => void): Send {
  let first = true;
  return async (marker) => {
    const answer = await ack<{ comment?: Record<string, unknown>; error?: { message: string } }>(writer, 'comment:post', {
      article: FANOUT_ARTICLE,
      body: commentBody(marker),
      clientId: `fan-${runId}-${marker}`,
    });
    if (!answer.comment) throw new Error(`comment:post refused: ${answer.error?.message}`);
    if (first) onFirst(answer.comment);
    first = false;
  };
}

/** Sends to the bare server: the same event payload Charcha emits, relayed as is. */
export function bareSender(writer: Socket, template: () => Record<string, unknown>): Send {
  return async (marker) => {
    const t = template();
    const payload = { ...t, body: String(t.body).replace(/bm\d+x/, `bm${marker}x`), seq: marker };
    await ack(writer, 'relay', { article: FANOUT_ARTICLE, type: 'comment:created', payload });
  };
}

interface Memory {
  rss: number;
  heapUsed: number;
}

/** After full garbage collections: the median of a few RSS readings, and the heap in use. */
async function settledMemory(server: RunningServer): Promise<Memory> {
  await sleep(1000);
  const { heapUsed } = await collectGarbage(server.inspectPort);
  await sleep(500);
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(rssBytes(server.child.pid));
    await sleep(200);
  }
  return { rss: readings.sort((a, b) => a - b)[2]!, heapUsed };
}

export interface FanoutTarget {
  name: string;
  server: RunningServer;
  /** Connects the writer; called once every reader is in the room. */
  writer: () => Promise<{ send: Send; close: () => void }>;
}

/**
 * Readers of every target sit side by side in the same load processes, and the targets take
 * turns comment by comment, so that a noisy machine weighs on each alike.
 */
export async function runFanout(targets: FanoutTarget[], fleets: ReaderFleets, site: string, settings: Settings): Promise<Map<string, FanoutRun>> {
  // Warm each server's connection path once, so that RSS "before" already holds that code.
  for (const t of targets) await fleets.connect(`warm-${t.name}`, t.server.url, site, FANOUT_ARTICLE, fleets.size * 10);
  await fleets.disconnect();
  const before = new Map<string, Memory>();
  for (const t of targets) before.set(t.name, await settledMemory(t.server));

  const connectSec = new Map<string, number>();
  for (const t of targets) {
    const t0 = Date.now();
    const c = await fleets.connect(t.name, t.server.url, site, FANOUT_ARTICLE, settings.readers);
    connectSec.set(t.name, (Date.now() - t0) / 1000);
    if (c.connected !== settings.readers) {
      throw new Error(`${t.name}: only ${c.connected} of ${settings.readers} readers connected (${c.failed} failed: ${c.firstError})`);
    }
  }
  const after = new Map<string, Memory>();
  for (const t of targets) after.set(t.name, await settledMemory(t.server));

  const writers = [];
  for (const t of targets) writers.push(await t.writer());
  const sentAt = new Map<number, number>();
  const lost = new Map<string, number>(targets.map((t) => [t.name, 0]));
  const markerOwner = new Map<number, string>();
  let marker = 1;
  for (let i = 0; i < WARMUP_MESSAGES + settings.fanoutMessages; i++) {
    for (const [k, t] of targets.entries()) {
      const m = marker++;
      markerOwner.set(m, t.name);
      if (i >= WARMUP_MESSAGES) sentAt.set(m, nowMs());
      await writers[k]!.send(m);
      if (!(await fleets.allReceived(t.name, m, DELIVERY_TIMEOUT_MS))) lost.set(t.name, lost.get(t.name)! + 1);
      await sleep(30);
    }
  }
  for (const w of writers) w.close();

  const { receipts } = await fleets.receipts();
  const latencies = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  for (const [m, at] of receipts) {
    const sent = sentAt.get(m);
    if (sent !== undefined) latencies.get(markerOwner.get(m)!)!.push(at - sent);
  }
  await fleets.disconnect();
  const runs = new Map<string, FanoutRun>();
  for (const t of targets) {
    const samples = latencies.get(t.name)!;
    runs.set(t.name, {
      latency: summarize(samples),
      lost: settings.readers * settings.fanoutMessages - samples.length,
      before: before.get(t.name)!,
      after: after.get(t.name)!,
      readers: settings.readers,
      connectSec: connectSec.get(t.name)!,
    });
  }
  return runs;
}

/** RSS per reader as /proc shows it; a server whose RSS did not grow has no figure (noise). */
function rssRow(charcha: FanoutRun, bare: FanoutRun, settings: Settings): ScenarioResult {
  const kb = (r: FanoutRun) => round((r.after.rss - r.before.rss) / r.readers / 1024, 1);
  const row = compare({
    scenario: 'memory per idle reader, RSS',
    metric: 'KB RSS per connection',
    charcha: kb(charcha),
    baseline: kb(bare),
    baselineName: 'bare Socket.IO server',
    target: { text: '≤ 1.3x bare', atMost: 1.3 },
    settings: { connections: settings.readers, joinedTo: 'one article room', measured: 'VmRSS (median of 5) after two full garbage collections, before and after connecting' },
    detail: {
      charcha: { rssBeforeMB: round(charcha.before.rss / 2 ** 20, 1), rssAfterMB: round(charcha.after.rss / 2 ** 20, 1) },
      bare: { rssBeforeMB: round(bare.before.rss / 2 ** 20, 1), rssAfterMB: round(bare.after.rss / 2 ** 20, 1) },
    },
  });
  if (kb(charcha) > 0 && kb(bare) > 0) return row;
  return { ...row, ratio: null, held: null, note: 'RSS did not grow: below noise' };
}

export function fanoutResults(charcha: FanoutRun, bare: FanoutRun, settings: Settings): ScenarioResult[] {
  const common = { readers: settings.readers, messages: settings.fanoutMessages, readerProcesses: Math.ceil(settings.readers / settings.readersPerProcess) };
  const lat = (r: FanoutRun) => ({
    p50: round(r.latency.p50),
    p99: round(r.latency.p99),
    max: round(r.latency.max),
    mean: round(r.latency.mean),
    samples: r.latency.count,
    lost: r.lost,
    connectSec: round(r.connectSec, 1),
  });
  const mem = (r: FanoutRun) => ({ heapPerReaderKB: round((r.after.heapUsed - r.before.heapUsed) / r.readers / 1024, 1) });
  return [
    compare({
      scenario: 'fan-out latency p50',
      metric: 'ms, send → receipt',
      charcha: round(charcha.latency.p50),
      baseline: round(bare.latency.p50),
      baselineName: 'bare Socket.IO relay',
      target: null,
      settings: common,
    }),
    compare({
      scenario: 'fan-out latency p99',
      metric: 'ms, send → receipt',
      charcha: round(charcha.latency.p99),
      baseline: round(bare.latency.p99),
      baselineName: 'bare Socket.IO relay',
      target: { text: '≤ 1.5x bare', atMost: 1.5 },
      settings: common,
      detail: { charcha: lat(charcha), bare: lat(bare) },
    }),
    compare({
      scenario: 'fan-out latency max',
      metric: 'ms, send → receipt',
      charcha: round(charcha.latency.max),
      baseline: round(bare.latency.max),
      baselineName: 'bare Socket.IO relay',
      target: null,
      settings: common,
    }),
    rssRow(charcha, bare, settings),
    compare({
      scenario: 'memory per idle reader, V8 heap',
      metric: 'KB heap per connection',
      charcha: mem(charcha).heapPerReaderKB,
      baseline: mem(bare).heapPerReaderKB,
      baselineName: 'bare Socket.IO server',
      target: { text: '≤ 1.3x bare', atMost: 1.3 },
      settings: { connections: settings.readers, measured: 'heapUsed after two full garbage collections (via the inspector), before and after connecting' },
    }),
  ];
}
