// Finding an installed PostgreSQL server and the user to run it as. PostgreSQL refuses to run
// as root: a launcher running as root runs it as the `postgres` user, which must then be able
// to reach the cluster's folder.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, type Stats } from 'node:fs';
import { chmod, chown, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, parse, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { findOnPath, isExecutable } from './executables';

const run = promisify(execFile);

export interface PostgresInstall {
  binDir: string;
  /** Major version, as a cluster's PG_VERSION file names it ("15"). */
  major: string;
  initdb: string;
  postgres: string;
}

const DEBIAN_ROOT = '/usr/lib/postgresql';

/**
 * The PostgreSQL servers installed here, newest first: Debian's and Ubuntu's
 * /usr/lib/postgresql/<version>/bin (their server binaries are not on PATH), then PATH.
 */
export async function findPostgresInstalls(): Promise<PostgresInstall[]> {
  const dirs: string[] = [];
  if (existsSync(DEBIAN_ROOT)) {
    const versions = readdirSync(DEBIAN_ROOT).sort((a, b) => parseFloat(b) - parseFloat(a));
    dirs.push(...versions.map((v) => join(DEBIAN_ROOT, v, 'bin')));
  }
  const onPath = findOnPath('postgres');
  if (onPath) dirs.push(dirname(onPath));

  const installs: PostgresInstall[] = [];
  for (const binDir of new Set(dirs)) {
    const initdb = join(binDir, 'initdb');
    const postgres = join(binDir, 'postgres');
    if (!isExecutable(initdb) || !isExecutable(postgres)) continue;
    const major = await majorVersion(postgres);
    if (major) installs.push({ binDir, major, initdb, postgres });
  }
  return installs;
}

/** "postgres (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)" -> "15"; "9.6.24" -> "9.6". */
async function majorVersion(postgres: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(postgres, ['--version'], { timeout: 10_000 });
    const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(stdout);
    if (!match) return undefined;
    return Number(match[1]) >= 10 ? match[1] : `${match[1]}.${match[2] ?? '0'}`;
  } catch {
    return undefined;
  }
}

export interface RunAs {
  name: string;
  uid: number;
  gid: number;
  groups: number[];
}

/** Undefined when we are not root (PostgreSQL then runs as us); else the `postgres` user. */
export async function postgresUser(): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  let out: string;
  try {
    ({ stdout: out } = await run('id', ['postgres'], { timeout: 10_000 }));
  } catch {
    throw new Error('running as root, and there is no `postgres` user to run PostgreSQL as');
  }
  // uid=101(postgres) gid=104(postgres) groups=104(postgres),103(ssl-cert)
  const uid = /uid=(\d+)/.exec(out);
  const gid = /gid=(\d+)/.exec(out);
  if (!uid || !gid) throw new Error(`could not read the postgres user's ids from \`id postgres\`: ${out.trim()}`);
  const groups = [...(/groups=(\S+)/.exec(out)?.[1] ?? '').matchAll(/(\d+)\(/g)].map((m) => Number(m[1]));
  return { name: 'postgres', uid: Number(uid[1]), gid: Number(gid[1]), groups: [Number(gid[1]), ...groups] };
}

/**
 * Makes sure `user` can walk down to `dataDir`. A folder that stops it is opened to it only when
 * it is ours to open: root's own folder (root:root), and either `dataDir` itself or a folder
 * inside the system's temporary folder (where mkdtemp makes them mode 0700). It then gets the
 * user's group and group search permission (g+x): listing stays closed, and no one else gains
 * anything. Any other closed folder (/root, a home folder) is reported, not changed.
 */
export async function letUserReach(user: RunAs, dataDir: string): Promise<void> {
  const target = resolve(dataDir);
  for (const dir of ancestorsOf(target)) {
    const info = await stat(dir);
    if (canSearch(info, user)) continue;
    const ours = info.uid === 0 && info.gid === 0 && (dir === target || isInside(dir, tmpdir()));
    if (!ours) {
      const mode = (info.mode & 0o777).toString(8);
      throw new Error(
        `the postgres user cannot enter ${dir} (mode ${mode}), on the way to ${target}; ` +
          'keep the data folder where it can (DATA_DIR), or set LOCAL_POSTGRES_URL',
      );
    }
    await chown(dir, info.uid, user.gid);
    await chmod(dir, (info.mode & 0o7777) | 0o010);
  }
}

/** "/", "/a", "/a/b" for "/a/b". */
function ancestorsOf(path: string): string[] {
  const { root } = parse(path);
  const parts = path.slice(root.length).split(sep).filter(Boolean);
  return [root, ...parts.map((_, i) => join(root, ...parts.slice(0, i + 1)))];
}

function canSearch(info: Stats, user: RunAs): boolean {
  if (info.uid === user.uid) return (info.mode & 0o100) !== 0;
  if (user.groups.includes(info.gid)) return (info.mode & 0o010) !== 0;
  return (info.mode & 0o001) !== 0;
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep);
}
