// Real Charcha processes (`node --import tsx server/src/main.ts`) and a real redis-server of
// our own on a spare port, for tests of several nodes. A node is ready when /readyz answers
// 200; its stdout (the JSON log) is kept for inspection.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../server/src/localdb/databaseProcess';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const READY_TIMEOUT_MS = 60_000;

/** Polls `cond` every 100 ms until it holds; fails after `timeoutMs`, or at once when `failed` says why. */
export async function until(what: string, cond: () => Promise<boolean>, timeoutMs: number, failed?: () => string | null): Promise<void> {
  const start = Date.now();
  for (;;) {
    const why = failed?.();
    if (why) throw new Error(`${what}: ${why}`);
    if (await cond().catch(() => false)) return;
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once('exit', () => resolve()));
}

// ------------------------------------------------------------------ Charcha nodes

export interface NodeOptions {
  name: string;
  mongoUri: string;
  redisUrl?: string;
  sitesFile?: string;
  /** More environment, e.g. RATE_LIMITS=off. */
  env?: Record<string, string>;
}

export interface CharchaNode {
  name: string;
  port: number;
  url: string;
  proc: ChildProcess;
  /** Everything the process wrote to stdout (JSON log lines and the start banner). */
  output(): string;
  /** Parsed JSON log lines so far. */
  logLines(): Record<string, unknown>[];
  /** Sends a signal and waits for the process to be gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startNode(opts: NodeOptions): Promise<CharchaNode> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    MONGODB_URI: opts.mongoUri,
    LOG_LEVEL: 'info',
    ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
    ...(opts.sitesFile ? { SITES_FILE: opts.sitesFile } : {}),
    ...opts.env,
  };
  if (!opts.redisUrl) delete env.REDIS_URL;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  const node: CharchaNode = {
    name: opts.name,
    port,
    url,
    proc,
    output: () => out,
    logLines: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    async kill(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited(proc);
    },
  };
  try {
    await until(
      `node ${opts.name} ready`,
      async () => (await fetch(`${url}/readyz`)).status === 200,
      READY_TIMEOUT_MS,
      () => (proc.exitCode !== null ? `exited with ${proc.exitCode}: ${err.slice(-2000)}` : null),
    );
  } catch (e) {
    await node.kill('SIGKILL');
    throw e;
  }
  return node;
}

/** Starts several nodes at once (they share the database and Redis given). */
export function startNodes(names: string[], opts: Omit<NodeOptions, 'name'>): Promise<CharchaNode[]> {
  return Promise.all(names.map((name) => startNode({ ...opts, name })));
}

// ------------------------------------------------------------------ Redis

export interface RedisServer {
  port: number;
  url: string;
  /** Stops the server (SIGTERM; nothing is saved: persistence is off). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

/** A redis-server of our own on a spare port, without persistence. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let proc: ChildProcess | null = null;
  const ping = () =>
    new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.setTimeout(500, () => (sock.destroy(), resolve(false)));
      sock.once('error', () => resolve(false));
      sock.once('connect', () => sock.write('PING\r\n'));
      sock.once('data', (d: Buffer) => (sock.destroy(), resolve(d.toString().startsWith('+PONG'))));
    });
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      let err = '';
      proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
      const p = proc;
      await until('redis-server ready', ping, 10_000, () => (p.exitCode !== null ? `exited with ${p.exitCode}: ${err}` : null));
    },
    async stop() {
      if (!proc) return;
      const p = proc;
      proc = null;
      p.kill('SIGTERM');
      await exited(p);
    },
  };
  await server.start();
  return server;
}
