// Child processes of a run: servers under test and load generators, each its own Node process
// (with tsx), started through bash so that the open-files limit is raised to the hard limit
// first; and what the run reads about them (RSS from /proc).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './clock';
import { freePort } from '../server/src/localdb/databaseProcess';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface NodeChild {
  proc: ChildProcess;
  pid: number;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

/**
 * Runs `node [nodeArgs] --import tsx <script> [args]` from the repository root (or `cwd`). With `ipc`, the
 * child can `process.send` to the parent. Its output goes to the parent's stderr, prefixed.
 */
export function spawnNode(
  label: string,
  script: string,
  opts: { args?: string[]; env?: Record<string, string>; nodeArgs?: string[]; ipc?: boolean; cwd?: string } = {},
): NodeChild {
  const argv = [...(opts.nodeArgs ?? []), '--import', 'tsx', script, ...(opts.args ?? [])];
  const proc = spawn('bash', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec node "$@"', 'node', ...argv], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe', ...(opts.ipc ? (['ipc'] as const) : [])],
  });
  live.add(proc);
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => `  [${label}] ${l}\n`)
      .join('');
  proc.stdout!.on('data', (c: Buffer) => process.stderr.write(prefix(c)));
  proc.stderr!.on('data', (c: Buffer) => process.stderr.write(prefix(c)));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      live.delete(proc);
      resolve(code);
    }),
  );
  return {
    proc,
    pid: proc.pid!,
    exited,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
      if (!done) proc.kill('SIGKILL');
      await exited;
    },
  };
}

export { freePort };

/** Waits until `url` answers 200, or the child exits, or the time is up. */
export async function waitForHttp(url: string, child: NodeChild, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${url}: the process exited before answering`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url}: no answer in ${timeoutMs} ms`);
}

/** Resident set size of a process, in bytes (VmRSS in /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** CPU time (user + system) a process has used so far, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** The first process whose command line contains `needle` (e.g. the database's data folder). */
export function findPid(needle: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}
