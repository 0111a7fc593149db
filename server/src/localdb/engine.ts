// What every engine of the launcher shares: the started database it hands back, the error that
// says "not installed here", and starting a server process on a free port until it answers.
import { basename } from 'node:path';
import { describeExit, freePort, startDatabaseProcess, type SpawnOptions } from './databaseProcess';
import { waitForPing, type ServerInfo } from './ping';

export type DatabaseKind = 'external' | 'mongod' | 'ferretdb' | 'memory-server';

/** Where a local FerretDB keeps its documents. */
export type Storage = 'sqlite' | 'postgresql';

export interface LocalDatabase {
  uri: string;
  kind: DatabaseKind;
  /** FerretDB's storage; absent for MongoDB itself. */
  storage?: Storage;
  /** One line for humans: engine, version, binary, where the data lives. */
  detail: string;
  /** Stops the server if this launcher started it; a no-op otherwise. */
  stop(): Promise<void>;
}

export type Log = (msg: string) => void;

/** The database the local URI names (without one, drivers use `test`). */
export const LOCAL_DATABASE_NAME = 'charcha';

/** Thrown when an engine is simply not installed: skip it without alarm. */
export class Unavailable extends Error {}

export const PING_TIMEOUT_MS = 30_000;

export interface SpawnAndPing {
  kind: Exclude<DatabaseKind, 'external' | 'memory-server'>;
  storage?: Storage;
  command: string;
  args: (port: number) => string[];
  describe: (info: ServerInfo) => string;
  spawn?: SpawnOptions;
  pingTimeoutMs?: number;
}

/** Start `command` on a free port and wait for it to answer a ping (retrying once on a port clash). */
export async function spawnAndPing(opts: SpawnAndPing): Promise<LocalDatabase> {
  const { kind, storage, command, args, describe } = opts;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const uri = `mongodb://127.0.0.1:${port}/`;
    const proc = startDatabaseProcess(command, args(port), opts.spawn);
    const name = basename(command);
    const failed = proc.exited.then(
      (exit) => `${name} ${describeExit(exit)} before answering${withTail(proc.outputTail())}`,
    );
    try {
      const info = await waitForPing(uri, { timeoutMs: opts.pingTimeoutMs ?? PING_TIMEOUT_MS, failed });
      return { uri, kind, storage, detail: describe(info), stop: once(() => proc.stop()) };
    } catch (err) {
      const running = !proc.hasExited();
      await proc.stop();
      if (attempt < 2 && isPortClash(proc.outputTail())) continue;
      const message = (err as Error).message;
      throw new Error(running ? `${message}${withTail(proc.outputTail())}` : message);
    }
  }
}

export function isPortClash(output: string): boolean {
  return /address already in use|EADDRINUSE/i.test(output);
}

export function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

export function withTail(tail: string): string {
  return tail ? `; its last output:\n${indent(tail, '    ')}` : '';
}

export function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

/** A URI with its password replaced by ***, for logs. */
export function redact(uri: string): string {
  return uri.replace(/\/\/([^@/:]*):[^@/]*@/, '//$1:***@');
}
