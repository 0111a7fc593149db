// Our FerretDB program (server/localdb/ferretdb, built once with Go) and where it stores data:
//   - PostgreSQL, preferred: equality filters run in PostgreSQL, where SQLite's backend decodes
//     every document of the collection in Go (docs/DATA.md, "The local database's engines").
//     A server at LOCAL_POSTGRES_URL, or else a private cluster under the data folder when a
//     PostgreSQL server is installed (postgresCluster.ts).
//   - SQLite, the fallback: whenever anything about PostgreSQL fails, with one log line why.
// A data folder whose SQLite already holds data keeps SQLite (unless told otherwise), so an
// upgrade never greets anyone with an empty database.
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { LOCAL_DATABASE_NAME, once, redact, spawnAndPing, Unavailable, type LocalDatabase, type Log } from './engine';
import { findGo } from './executables';
import { ensureFerretDBBinary, ferretdbSourceDir } from './ferretdbBuild';
import { startPostgresCluster } from './postgresCluster';

export type StorageChoice = 'auto' | 'sqlite' | 'postgresql';

export interface FerretDBOptions {
  storage: StorageChoice;
  /** A PostgreSQL server to store into instead of a private cluster. */
  postgresUrl?: string;
}

const FERRETDB = 'FerretDB v1.24.2 embedded';
const EXTERNAL_PING_TIMEOUT_MS = 15_000;

export async function startFerretDBFromSource(dataDir: string, log: Log, opts: FerretDBOptions): Promise<LocalDatabase> {
  const go = findGo();
  if (!go) throw new Unavailable('Go not found (neither on PATH nor /usr/local/go/bin/go)');
  const sourceDir = ferretdbSourceDir();
  if (!sourceDir) throw new Unavailable('source folder server/localdb/ferretdb not found');
  const binary = await ensureFerretDBBinary({ go, sourceDir, log });

  if (opts.storage !== 'sqlite') {
    let why = opts.storage === 'auto' && !opts.postgresUrl ? await sqliteHoldsData(dataDir) : undefined;
    if (!why) {
      try {
        return await startOnPostgres(binary, dataDir, log, opts.postgresUrl);
      } catch (err) {
        if (opts.storage === 'postgresql') throw err;
        why = oneLine((err as Error).message);
      }
    }
    log(`PostgreSQL not used (${why}); FerretDB keeps its data in SQLite`);
  }
  return startOnSqlite(binary, dataDir, log);
}

async function startOnSqlite(binary: string, dataDir: string, log: Log): Promise<LocalDatabase> {
  const dir = sqliteDir(dataDir);
  await mkdir(dir, { recursive: true });
  // FerretDB keeps each database in <name>.sqlite. The local URI used to name none.
  if (existsSync(join(dir, 'test.sqlite')) && !existsSync(join(dir, `${LOCAL_DATABASE_NAME}.sqlite`))) {
    log(`earlier data of this folder is in the database \`test\`; the local URI now names \`${LOCAL_DATABASE_NAME}\``);
  }
  return spawnAndPing({
    kind: 'ferretdb',
    storage: 'sqlite',
    command: binary,
    args: (port) => ['-listen', `127.0.0.1:${port}`, '-handler', 'sqlite', '-dir', dir],
    describe: () => `${FERRETDB} (${binary}), SQLite data in ${dir}`,
  });
}

async function startOnPostgres(binary: string, dataDir: string, log: Log, url?: string): Promise<LocalDatabase> {
  if (url) {
    await assertAccepts(url);
    return startFerretDBOn(binary, url, `PostgreSQL at ${redact(url)}`, EXTERNAL_PING_TIMEOUT_MS);
  }
  const cluster = await startPostgresCluster(dataDir, log);
  try {
    const db = await startFerretDBOn(binary, cluster.url, cluster.detail);
    return {
      ...db,
      stop: once(async () => {
        await db.stop();
        await cluster.stop();
      }),
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

function startFerretDBOn(binary: string, url: string, where: string, pingTimeoutMs?: number): Promise<LocalDatabase> {
  return spawnAndPing({
    kind: 'ferretdb',
    storage: 'postgresql',
    command: binary,
    args: (port) => ['-listen', `127.0.0.1:${port}`, '-handler', 'postgresql'],
    // In the environment, not the arguments: the process list would show the password.
    spawn: { env: { ...process.env, FERRETDB_POSTGRESQL_URL: url } },
    describe: () => `${FERRETDB} (${binary}), data in ${where}`,
    pingTimeoutMs,
  });
}

/** A message with its process output (several lines) as one line for the log. */
function oneLine(message: string): string {
  const line = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' | ');
  return line.length > 600 ? `${line.slice(0, 600)}…` : line;
}

function sqliteDir(dataDir: string): string {
  return join(dataDir, 'ferretdb');
}

/** Why to keep SQLite: it already holds this folder's data and no PostgreSQL cluster does. */
async function sqliteHoldsData(dataDir: string): Promise<string | undefined> {
  if (existsSync(join(dataDir, 'postgresql', 'initialized'))) return undefined;
  const files = await readdir(sqliteDir(dataDir)).catch(() => [] as string[]);
  if (!files.some((f) => f.endsWith('.sqlite'))) return undefined;
  return `${sqliteDir(dataDir)} already holds this data folder's data; LOCAL_DB_ENGINE=postgresql starts an empty PostgreSQL one`;
}

/** Fail in a moment, not after the ping timeout, when nothing listens at the URL's address. */
function assertAccepts(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  if (!hostname) return Promise.resolve(); // a unix socket (?host=/path): the ping will tell
  const host = hostname.replace(/^\[|\]$/g, '');
  const where = `${host}:${port || 5432}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port || 5432) });
    socket.setTimeout(5_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (err) => reject(new Error(`LOCAL_POSTGRES_URL: nothing answers at ${where} (${err.message})`)));
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`LOCAL_POSTGRES_URL: no answer from ${where} within 5 s`));
    });
  });
}
