// The zero-config database: with no MONGODB_URI, start the best local MongoDB-compatible
// server this machine can run, in this order, first that works:
//   1. mongod on PATH
//   2. a ferretdb binary on PATH or in $(go env GOPATH)/bin (SQLite backend)
//   3. our FerretDB program (server/localdb/ferretdb) built once with Go and cached, storing
//      into PostgreSQL when a server is installed or configured, else into SQLite
//   4. mongodb-memory-server (downloads MongoDB; needs internet and the dev dependencies)
// LOCAL_DB_ENGINE (sqlite, postgresql) or LOCAL_POSTGRES_URL go straight to 3.
// Each engine keeps its data in its own folder under dataDir. A started database is recorded
// in dataDir/charcha-db.json, and a second launcher on the same dataDir reuses it rather than
// starting a second server over the same files (two FerretDB processes on one SQLite folder
// would each trust their own cached metadata). Readiness is a real ping, never a sleep.
// The URI names the database `charcha`.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { loadLocalDatabaseConfig } from '../config';
import { freePort } from './databaseProcess';
import {
  indent,
  LOCAL_DATABASE_NAME,
  once,
  PING_TIMEOUT_MS,
  redact,
  spawnAndPing,
  Unavailable,
  type DatabaseKind,
  type LocalDatabase,
  type Log,
  type Storage,
} from './engine';
import { findGo, findOnPath, goBinDir, isExecutable } from './executables';
import { startFerretDBFromSource, type FerretDBOptions, type StorageChoice } from './ferretdbEngine';
import { acquireFileLock, isAlive } from './fileLock';
import { waitForPing } from './ping';

export { LOCAL_DATABASE_NAME };
export type { DatabaseKind, LocalDatabase, Storage, StorageChoice };

export interface LaunchOptions {
  /** A MongoDB to use as is (MONGODB_URI). Nothing is started or checked. */
  uri?: string;
  /** Where a local server keeps its files; created if missing. */
  dataDir: string;
  log?: Log;
  /** FerretDB's storage; default LOCAL_DB_ENGINE, else `auto` (PostgreSQL when installed). */
  engine?: StorageChoice;
  /** A PostgreSQL server for FerretDB; default LOCAL_POSTGRES_URL, else a private cluster. */
  postgresUrl?: string;
}

const OWNER_FILE = 'charcha-db.json';

export async function launchDatabase(opts: LaunchOptions): Promise<LocalDatabase> {
  if (opts.uri) {
    const detail = `external MongoDB at ${redact(opts.uri)}`;
    return { uri: opts.uri, kind: 'external', detail, stop: async () => {} };
  }
  const log = opts.log ?? (() => {});
  const env = loadLocalDatabaseConfig();
  const ferret: FerretDBOptions = {
    storage: opts.engine ?? env.LOCAL_DB_ENGINE,
    postgresUrl: opts.postgresUrl ?? env.LOCAL_POSTGRES_URL,
  };
  const dataDir = resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true });

  // Held while starting, so that concurrent launchers on one dataDir start one server.
  const release = await acquireFileLock(join(dataDir, 'launch.lock'), {
    timeoutMs: 25 * 60_000, // may include the first FerretDB build
    staleMs: 30 * 60_000,
    onWait: (holder) => log(`waiting for ${holder}, which is starting the database in ${dataDir}...`),
  });
  try {
    const shared = await findRunning(dataDir);
    if (shared) {
      log(`reusing the database already running for ${dataDir}: ${shared.detail}`);
      return shared;
    }
    const db = await startFirstAvailable(dataDir, log, ferret);
    return await recordOwner(dataDir, { ...db, uri: withDatabaseName(db.uri) });
  } finally {
    await release();
  }
}

// ---- the engines, in order --------------------------------------------------------------

interface Engine {
  label: string;
  start(dataDir: string, log: Log): Promise<LocalDatabase>;
}

function enginesFor(ferret: FerretDBOptions): Engine[] {
  const fromSource: Engine = {
    label: 'FerretDB built from source',
    start: (dataDir, log) => startFerretDBFromSource(dataDir, log, ferret),
  };
  // A PostgreSQL named in the configuration means our FerretDB on it (or on SQLite), nothing else.
  if (ferret.postgresUrl) return [fromSource];
  return [
    { label: 'mongod', start: startMongod },
    { label: 'ferretdb binary', start: startFerretDBBinary },
    fromSource,
    { label: 'mongodb-memory-server', start: startMemoryServer },
  ];
}

async function startFirstAvailable(dataDir: string, log: Log, ferret: FerretDBOptions): Promise<LocalDatabase> {
  if (ferret.storage !== 'auto') {
    try {
      const db = await startFerretDBFromSource(dataDir, log, ferret);
      log(`database ready: ${db.detail}`);
      return db;
    } catch (err) {
      throw new Error(`LOCAL_DB_ENGINE=${ferret.storage}: FerretDB did not start: ${(err as Error).message}`);
    }
  }
  const outcomes: string[] = [];
  for (const engine of enginesFor(ferret)) {
    try {
      const db = await engine.start(dataDir, log);
      log(`database ready: ${db.detail}`);
      return db;
    } catch (err) {
      const message = (err as Error).message;
      outcomes.push(`  - ${engine.label}: ${indent(message, '    ').trimStart()}`);
      if (!(err instanceof Unavailable)) log(`${engine.label} did not start: ${message}`);
    }
  }
  throw new Error(
    [
      'Charcha found no MongoDB to use. Tried, in order:',
      ...outcomes,
      'Any one of these fixes it:',
      '  1. Set MONGODB_URI to a MongoDB you run (e.g. MONGODB_URI=mongodb://127.0.0.1:27017/charcha).',
      '  2. Install MongoDB Community Server so that `mongod` is on PATH.',
      '  3. Install Go (https://go.dev/dl/); FerretDB is then built from server/localdb/ferretdb,',
      '     once, in about 2 minutes (needs access to the Go module proxy the first time).',
      '  4. Give this machine internet access with the dev dependencies installed:',
      '     mongodb-memory-server then downloads a MongoDB by itself.',
    ].join('\n'),
  );
}

async function startMongod(dataDir: string): Promise<LocalDatabase> {
  const mongod = findOnPath('mongod');
  if (!mongod) throw new Unavailable('not found on PATH');
  const dir = join(dataDir, 'mongod');
  await mkdir(dir, { recursive: true });
  return spawnAndPing({
    kind: 'mongod',
    command: mongod,
    args: (port) => ['--dbpath', dir, '--bind_ip', '127.0.0.1', '--port', String(port)],
    describe: (info) => `mongod ${info.version} (${mongod}), data in ${dir}`,
  });
}

async function startFerretDBBinary(dataDir: string): Promise<LocalDatabase> {
  const inGoBin = join(await goBinDir(findGo()), 'ferretdb');
  const candidates = [...new Set([findOnPath('ferretdb'), inGoBin])].filter(
    (p): p is string => !!p && isExecutable(p),
  );
  if (candidates.length === 0) throw new Unavailable('not found on PATH or in $(go env GOPATH)/bin');
  const dir = join(dataDir, 'ferretdb');
  await mkdir(dir, { recursive: true });
  const failures: string[] = [];
  for (const binary of candidates) {
    try {
      return await spawnAndPing({
        kind: 'ferretdb',
        storage: 'sqlite',
        command: binary,
        args: (port) => [
          `--listen-addr=127.0.0.1:${port}`,
          '--handler=sqlite',
          `--sqlite-url=file:${dir}/`,
          '--telemetry=disable',
          `--state-dir=${dir}`, // default is the working directory
          '--debug-addr=-', // default 127.0.0.1:8088 would clash between two instances
        ],
        describe: (info) => `FerretDB ${info.ferretdbVersion ?? ''} (${binary}), SQLite data in ${dir}`,
      });
    } catch (err) {
      // `go install .../cmd/ferretdb` builds a binary that panics at start: try the next way.
      failures.push(`${binary}: ${(err as Error).message}`);
    }
  }
  throw new Error(failures.join('\n'));
}

async function startMemoryServer(dataDir: string, log: Log): Promise<LocalDatabase> {
  let lib: typeof import('mongodb-memory-server-core');
  try {
    lib = await import('mongodb-memory-server-core');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Unavailable('not installed (it is a dev dependency)');
    }
    throw err;
  }
  const dir = join(dataDir, 'memory-server');
  await mkdir(dir, { recursive: true });
  log('starting mongodb-memory-server (the first time, it downloads MongoDB)...');
  const server = await lib.MongoMemoryServer.create({
    instance: { ip: '127.0.0.1', port: await freePort(), dbPath: dir, storageEngine: 'wiredTiger' },
  });
  const uri = server.getUri();
  try {
    const info = await waitForPing(uri, { timeoutMs: PING_TIMEOUT_MS });
    return {
      uri,
      kind: 'memory-server',
      detail: `mongodb-memory-server, MongoDB ${info.version}, data in ${dir}`,
      stop: once(async () => {
        await server.stop({ doCleanup: true, force: false }); // force would delete dbPath
      }),
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

// ---- one server per dataDir ------------------------------------------------------------

interface Owner {
  pid: number;
  host: string;
  uri: string;
  kind: DatabaseKind;
  storage?: Storage;
  detail: string;
}

async function recordOwner(dataDir: string, db: LocalDatabase): Promise<LocalDatabase> {
  const file = join(dataDir, OWNER_FILE);
  const owner: Owner = { pid: process.pid, host: hostname(), uri: db.uri, kind: db.kind, storage: db.storage, detail: db.detail };
  await writeFile(file, `${JSON.stringify(owner, null, 2)}\n`);
  return {
    ...db,
    stop: once(async () => {
      const current = await readOwner(dataDir);
      if (current?.pid === process.pid && current.uri === db.uri) await rm(file, { force: true });
      await db.stop();
    }),
  };
}

async function readOwner(dataDir: string): Promise<Owner | undefined> {
  try {
    return JSON.parse(await readFile(join(dataDir, OWNER_FILE), 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

/** The server another live launcher started on this dataDir, if it still answers. */
async function findRunning(dataDir: string): Promise<LocalDatabase | undefined> {
  const owner = await readOwner(dataDir);
  if (!owner || owner.host !== hostname() || !isAlive(owner.pid)) return undefined;
  try {
    await waitForPing(owner.uri, { timeoutMs: 3_000 });
  } catch {
    return undefined;
  }
  return {
    uri: owner.uri,
    kind: owner.kind,
    storage: owner.storage,
    detail: `${owner.detail}; started by pid ${owner.pid}, and stops when that process does`,
    stop: async () => {}, // not ours to stop
  };
}

// ---- small helpers ---------------------------------------------------------------------

function withDatabaseName(uri: string): string {
  const url = new URL(uri);
  if (url.pathname === '' || url.pathname === '/') url.pathname = `/${LOCAL_DATABASE_NAME}`;
  return url.toString();
}
