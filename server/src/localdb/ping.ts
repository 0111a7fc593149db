// Readiness is a real round trip: a `ping` through the MongoDB driver, retried until the server
// answers, the deadline passes, or the process we are waiting for dies.
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MongoClient as MongoClientType } from 'mongodb';

type Driver = typeof import('mongodb');
let driver: Promise<Driver> | undefined;

/**
 * The `mongodb` driver. In this repository it is a devDependency; a production install
 * (`npm ci --omit=dev`) leaves only mongoose's own copy, nested under node_modules/mongoose
 * when its version differs from the dev one. So fall back to resolving it from mongoose.
 */
export function loadDriver(): Promise<Driver> {
  driver ??= import('mongodb').catch((err: unknown) => {
    if (!isModuleNotFound(err)) throw err;
    const require = createRequire(import.meta.url);
    const fromMongoose = createRequire(require.resolve('mongoose'));
    return fromMongoose('mongodb') as Driver;
  });
  return driver;
}

function isModuleNotFound(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

export interface ServerInfo {
  /** MongoDB version the server reports (FerretDB reports the version it emulates). */
  version: string;
  /** Present only on FerretDB ("unknown" for our embedded build). */
  ferretdbVersion?: string;
}

export interface WaitOptions {
  timeoutMs: number;
  /** Stop waiting as soon as this settles: the server process died. Its value explains why. */
  failed?: Promise<string>;
}

export async function waitForPing(uri: string, opts: WaitOptions): Promise<ServerInfo> {
  const { MongoClient } = await loadDriver();
  const deadline = Date.now() + opts.timeoutMs;
  let failure: string | undefined;
  void opts.failed?.then((why) => (failure = why));
  let lastError = 'no answer';

  while (failure === undefined) {
    // A refused TCP connection costs ~1 ms and a failed driver attempt far more, so knock first.
    await waitForPort(uri, deadline, () => failure !== undefined);
    if (failure !== undefined) break;
    const client: MongoClientType = new MongoClient(uri, {
      directConnection: true,
      serverSelectionTimeoutMS: 1_000,
      connectTimeoutMS: 1_000,
      maxPoolSize: 1,
    });
    try {
      const attempt = (async () => {
        await client.connect();
        const admin = client.db('admin');
        await admin.command({ ping: 1 });
        const info = await admin.command({ buildInfo: 1 });
        return {
          version: String(info.version ?? 'unknown'),
          ferretdbVersion: info.ferretdbVersion === undefined ? undefined : String(info.ferretdbVersion),
        };
      })();
      attempt.catch(() => undefined); // it may fail after we stopped listening to it
      const died = opts.failed?.then(() => undefined) ?? new Promise<never>(() => {});
      const outcome = await Promise.race([attempt, died]);
      if (outcome) return outcome;
    } catch (err) {
      lastError = (err as Error).message;
    } finally {
      await client.close().catch(() => undefined);
    }
    if (failure !== undefined) break;
    if (Date.now() > deadline) {
      const seconds = Math.round(opts.timeoutMs / 1000);
      throw new Error(`no answer to ping at ${uri} within ${seconds} s (last error: ${lastError})`);
    }
    await sleep(100);
  }
  throw new Error(failure);
}

/** Until `uri`'s single host:port accepts a TCP connection, the deadline passes, or `stop()`. */
async function waitForPort(uri: string, deadline: number, stop: () => boolean): Promise<void> {
  const match = /^mongodb:\/\/(?:[^@/]*@)?([^:/,]+):(\d+)(?:\/[^?]*)?(?:[?].*)?$/.exec(uri);
  if (!match) return; // several hosts, or SRV: leave it to the driver
  const [, host, port] = match;
  while (!stop() && Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port: Number(port) });
      const settle = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(1_000);
      socket.once('connect', () => settle(true));
      socket.once('error', () => settle(false));
      socket.once('timeout', () => settle(false));
    });
    if (open) return;
    await sleep(20);
  }
}
