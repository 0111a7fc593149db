// The run's side of the reader fleets: starts the load processes, spreads readers over them,
// and gathers their receipts.
import { spawnNode, type NodeChild } from '../processes';
import type { FleetCommand, FleetReply } from './fleet-protocol';

type Reply<T extends FleetReply['type']> = Extract<FleetReply, { type: T }>;
type CommandBody = FleetCommand extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

class FleetProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: FleetReply) => void>();
  /** `group:marker` of the comments every reader of the group in this process has. */
  readonly allReceived = new Set<string>();
  private markerWaiters: (() => void)[] = [];
  readonly readers = new Map<string, number>();

  constructor(readonly child: NodeChild) {
    child.proc.on('message', (r: FleetReply) => {
      if ('id' in r) {
        this.waiting.get(r.id)?.(r);
        this.waiting.delete(r.id);
      } else {
        this.allReceived.add(`${r.group}:${r.marker}`);
        for (const w of this.markerWaiters.splice(0)) w();
      }
    });
  }

  request<T extends FleetReply['type']>(body: CommandBody): Promise<Reply<T>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (r) => resolve(r as Reply<T>));
      this.child.proc.send({ ...body, id } as FleetCommand, (err) => err && reject(err));
      void this.child.exited.then((code) => reject(new Error(`reader fleet exited (${code})`)));
    });
  }

  changed(): Promise<void> {
    return new Promise((r) => this.markerWaiters.push(r));
  }
}

export interface ConnectResult {
  connected: number;
  failed: number;
  firstError?: string;
  /** Each reader's `article:join` acknowledgement latency, in ms. */
  joinMs: number[];
}

export class ReaderFleets {
  private constructor(private readonly procs: FleetProcess[]) {}

  static start(processes: number): ReaderFleets {
    return new ReaderFleets(
      Array.from({ length: processes }, (_, i) => new FleetProcess(spawnNode(`readers-${i}`, 'bench/load/reader-fleet.ts', { ipc: true }))),
    );
  }

  get size(): number {
    return this.procs.length;
  }

  get pids(): number[] {
    return this.procs.map((p) => p.child.pid);
  }

  /**
   * Opens `total` readers on `url`, all joined to one article, spread evenly over the
   * processes; they form `group` (readers of different servers can sit side by side).
   */
  async connect(group: string, url: string, site: string, article: string, total: number, concurrencyPerProcess = 50, since?: number): Promise<ConnectResult> {
    const share = (i: number) => Math.floor(total / this.procs.length) + (i < total % this.procs.length ? 1 : 0);
    const results = await Promise.all(
      this.procs.map(async (p, i) => {
        const r = await p.request<'connected'>({ cmd: 'connect', group, url, site, article, count: share(i), concurrency: concurrencyPerProcess, ...(since === undefined ? {} : { since }) });
        p.readers.set(group, r.connected);
        return r;
      }),
    );
    return {
      connected: results.reduce((a, r) => a + r.connected, 0),
      failed: results.reduce((a, r) => a + r.failed, 0),
      firstError: results.find((r) => r.firstError)?.firstError,
      joinMs: results.flatMap((r) => r.joinMs),
    };
  }

  /** Resolves when every reader of the group has the comment with this marker, or false after `timeoutMs`. */
  async allReceived(group: string, marker: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (const p of this.procs) {
      while ((p.readers.get(group) ?? 0) > 0 && !p.allReceived.has(`${group}:${marker}`)) {
        const left = deadline - Date.now();
        if (left <= 0) return false;
        await Promise.race([p.changed(), new Promise((r) => setTimeout(r, left))]);
      }
    }
    return true;
  }

  /** Every receipt since the last call: [marker, time], and the count of comments delivered. */
  async receipts(): Promise<{ receipts: [number, number][]; delivered: number }> {
    const all = await Promise.all(this.procs.map((p) => p.request<'receipts'>({ cmd: 'receipts' })));
    for (const p of this.procs) p.allReceived.clear();
    return { receipts: all.flatMap((r) => r.receipts), delivered: all.reduce((a, r) => a + r.delivered, 0) };
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.request<'disconnected'>({ cmd: 'disconnect' })));
    for (const p of this.procs) p.readers.clear();
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.child.stop()));
  }
}
