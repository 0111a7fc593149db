// A database server running as our child: spawned with its output drained (a full pipe would
// stall it), the last lines kept for error messages, stopped with its stop signal (SIGTERM
// unless told otherwise) then SIGKILL, and never left behind when this process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export interface DatabaseProcess {
  readonly pid: number | undefined;
  /** Resolves (never rejects) once the process has exited or failed to start. */
  readonly exited: Promise<ProcessExit>;
  hasExited(): boolean;
  /** The last lines the process wrote, stderr first; for error messages. */
  outputTail(): string;
  /** Its stop signal, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user and group (when we are root and the server refuses to be). */
  uid?: number;
  gid?: number;
  /** The signal that asks this server to stop quickly and cleanly; SIGTERM by default. */
  stopSignal?: NodeJS.Signals;
}

const TAIL_LINES = 30;

export function startDatabaseProcess(command: string, args: string[], opts: SpawnOptions = {}): DatabaseProcess {
  const stopSignal = opts.stopSignal ?? 'SIGTERM';
  // stdin stays an open pipe: our FerretDB program exits when it closes, so it dies with us
  // even when we are killed with SIGKILL.
  // detached: its own process group, so a Ctrl+C in the terminal reaches only us. The server's
  // graceful shutdown can still write to the database; then stop() or the exit hook ends it.
  const child = spawn(command, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    uid: opts.uid,
    gid: opts.gid,
    detached: true,
  });
  trackChild(child, stopSignal);
  const stdout = new LineTail(TAIL_LINES);
  const stderr = new LineTail(TAIL_LINES);
  child.stdout!.setEncoding('utf8').on('data', (s: string) => stdout.push(s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => stderr.push(s));
  child.stdin!.on('error', () => undefined); // EPIPE once the child is gone

  let done = false;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('error', (error) => {
      // Spawn failure (ENOENT, EACCES): no 'exit' event follows.
      if (child.pid === undefined) {
        done = true;
        resolve({ code: null, signal: null, error });
      }
    });
    // 'close' rather than 'exit': by then its last output has been read, for the error message.
    child.once('close', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });

  return {
    pid: child.pid,
    exited,
    hasExited: () => done,
    outputTail() {
      const err = stderr.text();
      const out = stdout.text();
      if (err && out) return `${err}\n--- stdout ---\n${out}`;
      return err || out;
    },
    async stop(graceMs = 5_000) {
      if (done) return;
      child.stdin!.end();
      child.kill(stopSignal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function describeExit(exit: ProcessExit): string {
  if (exit.error) return `could not start: ${exit.error.message}`;
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}

/** A loopback port that was free a moment ago (the OS picks it; we close it right away). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

// ---- children never outlive this process ----------------------------------------------

const live = new Map<ChildProcess, NodeJS.Signals>();
let hooksInstalled = false;

/** Kill `child` (with `signal`) when this process exits, however it exits short of SIGKILL. */
export function trackChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  live.set(child, signal);
  child.once('exit', () => live.delete(child));
  child.once('error', () => {
    if (child.pid === undefined) live.delete(child);
  });
  installHooks();
}

function killAll(): void {
  for (const [child, signal] of live) child.kill(signal); // synchronous: safe in an 'exit' handler
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAll);
  // A signal with no handler ends Node without an 'exit' event. When nobody else handles the
  // signal, kill the children and then let it take its default course. When someone does (a
  // graceful shutdown in main.ts, the CLI), they decide; their process.exit() reaches killAll.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      killAll();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

class LineTail {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly max: number) {}
  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
      if (this.lines.length > this.max) this.lines.shift();
    }
    if (this.partial.length > 4_000) this.partial = this.partial.slice(-4_000);
  }
  text(): string {
    return [...this.lines, this.partial].filter((l) => l.trim() !== '').join('\n');
  }
}
