// An exclusive lock between processes on one machine: a file created with O_EXCL ('wx').
// The file names its holder (pid, host, start time); a holder that died, or a lock older than
// `staleMs`, is treated as abandoned and removed. Used so that several processes starting at
// once build FerretDB only once, and start only one database per data directory.
import { randomUUID } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FileLockOptions {
  /** Give up waiting for the holder after this long. */
  timeoutMs: number;
  /** A lock older than this is abandoned even if a process with its pid is alive (pid reuse). */
  staleMs: number;
  /** Called once, when the lock is held by someone else and we start to wait. */
  onWait?: (holder: string) => void;
}

interface Holder {
  pid: number;
  host: string;
  since: string;
  token: string;
}

export type ReleaseLock = () => Promise<void>;

export async function acquireFileLock(path: string, opts: FileLockOptions): Promise<ReleaseLock> {
  const deadline = Date.now() + opts.timeoutMs;
  const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomUUID() };
  let announced = false;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(JSON.stringify(me));
      } finally {
        await handle.close();
      }
      return async () => {
        // Remove the file only while it is still ours: a waiter may have judged it stale.
        const text = await readFile(path, 'utf8').catch(() => '');
        if (text.includes(me.token)) await unlink(path).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }

    const { holder, ageMs } = await readHolder(path);
    if (ageMs === undefined) continue; // released between our open and our read
    if (isAbandoned(holder, ageMs, opts.staleMs)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    const who = holder ? `pid ${holder.pid} on ${holder.host} since ${holder.since}` : 'another process';
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${Math.round(opts.timeoutMs / 1000)} s waiting for ${path}, held by ${who}`);
    }
    if (!announced) {
      announced = true;
      opts.onWait?.(who);
    }
    await sleep(250);
  }
}

async function readHolder(path: string): Promise<{ holder?: Holder; ageMs?: number }> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const ageMs = Date.now() - info.mtimeMs;
    try {
      return { holder: JSON.parse(text) as Holder, ageMs };
    } catch {
      return { ageMs }; // being written right now, or left half-written by a crash
    }
  } catch {
    return {};
  }
}

function isAbandoned(holder: Holder | undefined, ageMs: number, staleMs: number): boolean {
  if (ageMs > staleMs) return true;
  // Writing the holder takes milliseconds; an unreadable lock this old was left by a crash.
  if (!holder) return ageMs > 10_000;
  if (holder.host !== hostname()) return false; // cannot see the other machine's processes
  return !isAlive(holder.pid);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}
