// Builds our FerretDB program (server/localdb/ferretdb, FerretDB v1.24.2 embedded as a
// library) once per source version and caches the binary:
//   ${XDG_CACHE_HOME:-~/.cache}/charcha/ferretdb-<sha256(main.go+idindex.go+sqliteidindex.go+go.mod+go.sum)[:12]>/charcha-ferretdb
// The build goes to a temporary name and is renamed into place, so a binary at the final path
// is always complete; a lock file makes concurrent starters wait for one build instead of
// running several (if the lock is ever bypassed, two builds just race to an atomic rename).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackChild } from './databaseProcess';
import { isExecutable } from './executables';
import { acquireFileLock } from './fileLock';

const SOURCE_FILES = ['main.go', 'idindex.go', 'sqliteidindex.go', 'go.mod', 'go.sum'];
const BINARY_NAME = 'charcha-ferretdb';

/** server/localdb/ferretdb, found from this file or, failing that, from the working directory. */
export function ferretdbSourceDir(): string | undefined {
  const candidates = [
    fileURLToPath(new URL('../../localdb/ferretdb/', import.meta.url)),
    resolve(process.cwd(), 'server/localdb/ferretdb'),
  ];
  return candidates.find((dir) => SOURCE_FILES.every((f) => existsSync(join(dir, f))));
}

export async function cachedBinaryPath(sourceDir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of SOURCE_FILES) hash.update(await readFile(join(sourceDir, file)));
  const cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheHome, 'charcha', `ferretdb-${hash.digest('hex').slice(0, 12)}`, BINARY_NAME);
}

export interface BuildOptions {
  go: string;
  sourceDir: string;
  log: (msg: string) => void;
}

/** The path of a ready binary, building it first if no process has yet. */
export async function ensureFerretDBBinary({ go, sourceDir, log }: BuildOptions): Promise<string> {
  const binary = await cachedBinaryPath(sourceDir);
  if (isExecutable(binary)) return binary;

  const dir = dirname(binary);
  await mkdir(dir, { recursive: true });
  const release = await acquireFileLock(join(dir, 'build.lock'), {
    timeoutMs: 20 * 60_000,
    staleMs: 30 * 60_000,
    onWait: (holder) => log(`waiting for FerretDB being built by ${holder}...`),
  });
  try {
    if (isExecutable(binary)) return binary; // built by the process we waited for

    log('building FerretDB (first run only, about 2 minutes)...');
    const started = Date.now();
    const temp = join(dir, `${BINARY_NAME}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await goBuild(go, sourceDir, temp);
      await rename(temp, binary);
    } finally {
      await rm(temp, { force: true });
    }
    log(`built FerretDB in ${((Date.now() - started) / 1000).toFixed(1)} s, cached at ${binary}`);
    return binary;
  } finally {
    await release();
  }
}

function goBuild(go: string, cwd: string, output: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(go, ['build', '-o', output, '.'], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Pure Go (modernc SQLite): no C compiler needed, and the binary is static.
      env: { ...process.env, CGO_ENABLED: '0', PATH: `${dirname(go)}:${process.env.PATH ?? ''}` },
    });
    trackChild(child);
    let tail = '';
    const collect = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-4_000);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('error', (err) => reject(new Error(`could not run ${go}: ${err.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) return resolvePromise();
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(new Error(`go build in ${cwd} ${how}:\n${tail.trim()}`));
    });
  });
}
