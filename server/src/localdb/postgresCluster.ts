// A private PostgreSQL cluster for the local FerretDB, kept under the data folder:
//   <dataDir>/postgresql/data/       the cluster (initdb'd once, C locale, UTF-8)
//   <dataDir>/postgresql/password    the password of its one role, `charcha` (scram-sha-256)
//   <dataDir>/postgresql/run/        its unix socket
//   <dataDir>/postgresql/initialized written once initdb has finished
// The server runs as our child on a free port on 127.0.0.1, as the `postgres` user when we are
// root, and stops with a fast shutdown (SIGINT) when the launcher's database stops or this
// process exits. One left running by a launcher that was killed is stopped before a new start.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { describeExit, freePort, startDatabaseProcess, type DatabaseProcess } from './databaseProcess';
import { isPortClash, once, Unavailable, withTail, type Log } from './engine';
import { isAlive } from './fileLock';
import { findPostgresInstalls, letUserReach, postgresUser, type PostgresInstall, type RunAs } from './postgresInstall';

export interface PostgresCluster {
  /** postgres://charcha:<password>@127.0.0.1:<port>/postgres */
  url: string;
  /** "PostgreSQL 15, cluster in <dir>" */
  detail: string;
  stop(): Promise<void>;
}

const ROLE = 'charcha';
const READY_TIMEOUT_MS = 60_000;
const INITDB_TIMEOUT_MS = 180_000;
// A unix socket path must fit in 108 bytes; "/.s.PGSQL.65535" takes 15 of them.
const MAX_SOCKET_DIR = 90;

export async function startPostgresCluster(dataDir: string, log: Log): Promise<PostgresCluster> {
  const installs = await findPostgresInstalls();
  if (installs.length === 0) {
    throw new Unavailable('no PostgreSQL server installed (no initdb and postgres in /usr/lib/postgresql/*/bin or on PATH)');
  }
  const user = await postgresUser();
  const dir = join(dataDir, 'postgresql');
  await prepareFolder(dir, dataDir, user);

  const initialized = join(dir, 'initialized');
  if (!existsSync(initialized)) {
    await initCluster(installs[0], dir, user, log);
    await writeFile(initialized, `${new Date().toISOString()}\n`);
  }
  const install = await installFor(dir, installs);
  const password = (await readFile(join(dir, 'password'), 'utf8')).trim();
  await stopLeftover(dir, log);

  const { proc, port } = await startServer(install, dir, user);
  return {
    url: `postgres://${ROLE}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    detail: `PostgreSQL ${install.major} (${install.binDir}), cluster in ${dir}`,
    stop: once(() => proc.stop(20_000)),
  };
}

/** `<dataDir>/postgresql`, owned by whoever runs the server, mode 0700. */
async function prepareFolder(dir: string, dataDir: string, user: RunAs | undefined): Promise<void> {
  if (user) await letUserReach(user, dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (user) await chown(dir, user.uid, user.gid);
}

async function initCluster(install: PostgresInstall, dir: string, user: RunAs | undefined, log: Log): Promise<void> {
  const data = join(dir, 'data');
  await rm(data, { recursive: true, force: true }); // left half-made by an interrupted initdb
  const passwordFile = join(dir, 'password');
  await writeFile(passwordFile, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
  if (user) await chown(passwordFile, user.uid, user.gid);

  log(`creating a PostgreSQL ${install.major} cluster in ${data} (first run only)...`);
  const started = Date.now();
  const args = ['-D', data, '-U', ROLE, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'];
  const proc = startDatabaseProcess(install.initdb, args, { uid: user?.uid, gid: user?.gid, cwd: dir });
  const timer = setTimeout(() => void proc.stop(), INITDB_TIMEOUT_MS);
  const exit = await proc.exited;
  clearTimeout(timer);
  if (exit.code !== 0) throw new Error(`initdb ${describeExit(exit)}${withTail(proc.outputTail())}`);
  log(`created the PostgreSQL cluster in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The install whose major version made the cluster: another one refuses to open it. */
async function installFor(dir: string, installs: PostgresInstall[]): Promise<PostgresInstall> {
  const made = (await readFile(join(dir, 'data', 'PG_VERSION'), 'utf8')).trim();
  const install = installs.find((i) => i.major === made);
  if (install) return install;
  const have = installs.map((i) => i.major).join(', ');
  throw new Error(`the cluster in ${dir} was made by PostgreSQL ${made}, which is not installed (installed: ${have})`);
}

/** A server still running on this cluster, left by a launcher that was killed: stop it. */
async function stopLeftover(dir: string, log: Log): Promise<void> {
  const pid = Number((await readPidFile(dir))[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes('postgres')) return; // the pid was reused; postgres sees that too
  log(`stopping PostgreSQL (pid ${pid}), left running on ${dir} by an earlier launcher`);
  process.kill(pid, 'SIGINT');
  for (let waited = 0; isAlive(pid); waited += 100) {
    if (waited > 30_000) throw new Error(`PostgreSQL (pid ${pid}) left running on ${dir} does not stop`);
    await sleep(100);
  }
}

async function startServer(
  install: PostgresInstall,
  dir: string,
  user: RunAs | undefined,
): Promise<{ proc: DatabaseProcess; port: number }> {
  const socketDir = join(dir, 'run');
  const useSocket = socketDir.length <= MAX_SOCKET_DIR;
  if (useSocket) {
    await mkdir(socketDir, { recursive: true, mode: 0o700 });
    if (user) await chown(socketDir, user.uid, user.gid);
  }
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = ['-D', join(dir, 'data'), '-p', String(port), '-c', 'listen_addresses=127.0.0.1'];
    args.push('-c', `unix_socket_directories=${useSocket ? socketDir : ''}`);
    const proc = startDatabaseProcess(install.postgres, args, {
      uid: user?.uid,
      gid: user?.gid,
      cwd: dir,
      stopSignal: 'SIGINT', // fast shutdown; SIGTERM would wait for every client to leave
    });
    try {
      await waitUntilReady(dir, proc);
      return { proc, port };
    } catch (err) {
      await proc.stop();
      if (attempt < 2 && isPortClash(proc.outputTail())) continue;
      throw err;
    }
  }
}

/** Ready when postmaster.pid names our process and says "ready" (what `pg_ctl -w` waits for). */
async function waitUntilReady(dir: string, proc: DatabaseProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!proc.hasExited()) {
    const lines = await readPidFile(dir);
    if (Number(lines[0]) === proc.pid && lines[7]?.trim() === 'ready') return;
    if (Date.now() > deadline) {
      throw new Error(`PostgreSQL not ready within ${READY_TIMEOUT_MS / 1000} s${withTail(proc.outputTail())}`);
    }
    await sleep(50);
  }
  const exit = await proc.exited;
  throw new Error(`postgres ${describeExit(exit)} before it was ready${withTail(proc.outputTail())}`);
}

async function readPidFile(dir: string): Promise<string[]> {
  const text = await readFile(join(dir, 'data', 'postmaster.pid'), 'utf8').catch(() => '');
  return text.split('\n');
}
