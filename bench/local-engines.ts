// `npx tsx bench/local-engines.ts [--rounds=N] [--others=N]`: the local database's two
// storages for FerretDB, SQLite and PostgreSQL, on the hot paths, through the project's own
// launcher, connection and models. For each storage, in a fresh temporary folder:
//   1. cold start (PostgreSQL: initdb included) and warm restart;
//   2. with only the measured article stored (100 comments, its author): the thread page's
//      query, a user lookup, a comment insert;
//   3. the same once N other comments and N other users are stored (default 10,000 each);
// then what the storage costs: resident memory of its processes, and disk.
// Prints one table (median and p90 in ms) and writes bench/results/local-engines.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchDatabase, type LocalDatabase, type Storage } from '../server/src/localdb/launcher';
import { connectDatabase, type Database } from '../server/src/store/connection';
import { buildModels, ensureIndexes, trusted, type Models } from '../server/src/store/models';
import { commentBody, storedComment } from './comment-doc';
import { describeMachine } from './machine';
import { ROOT } from './processes';
import { round, timeCalls } from './stats';

const argv = process.argv.slice(2);
const numberArg = (name: string, fallback: number) => {
  const arg = argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.slice(name.length + 3)) : fallback;
};
const ROUNDS = numberArg('rounds', 20);
const OTHERS = numberArg('others', 10_000);
const SITE = 'bench';
const ARTICLE = 'bench-thread';
const PAGE = 20;
const say = (msg: string) => process.stderr.write(`local-engines: ${msg}\n`);

interface Timing {
  p50: number;
  p90: number;
}
interface StorageResult {
  storage: Storage;
  detail: string;
  coldStartMs: number;
  warmStartMs: number;
  empty: Record<string, Timing>;
  loaded: Record<string, Timing>;
  seedSeconds: number;
  memoryMB: number;
  diskMB: number;
}

const measure = (fn: (i: number) => Promise<unknown>): Promise<Timing> => timeCalls(fn, ROUNDS, 3);

let inserted = 0;
/**
 * `lookedUp(i)`: the user read in round i. FerretDB on SQLite reads documents in insertion
 * order and stops at the limit, so always reading the first user stored would flatter it.
 */
async function hotPaths(models: Models, lookedUp: (i: number) => string): Promise<Record<string, Timing>> {
  return {
    'thread page query': await measure(() =>
      models.Comment.find({ site: SITE, article: ARTICLE, parentId: null, status: trusted({ $in: ['published', 'deleted'] }) })
        .sort({ _id: -1 })
        .limit(PAGE + 1)
        .lean(),
    ),
    'user lookup': await measure(async (i) => {
      const found = await models.User.findOne({ site: SITE, userId: lookedUp(i) }).lean();
      if (!found) throw new Error(`user ${lookedUp(i)} not found`);
    }),
    'comment insert': await measure(() => {
      const n = inserted++;
      return models.Comment.create(comment('bench-inserts', `insert-${n}`, n));
    }),
  };
}

function comment(article: string, clientId: string, n: number) {
  return storedComment({
    site: SITE,
    article,
    authorId: `author-${n % 100}`,
    authorName: `Author ${n % 100}`,
    clientId,
    body: commentBody(0, n),
    createdAt: new Date(Date.now() - n * 1000),
  });
}

function user(userId: string) {
  return { site: SITE, userId, name: userId, state: 'active', bannedUntil: null, reason: null, comments: 1, rejected: 0, spam: 0, createdAt: new Date() };
}

async function seedOthers(models: Models): Promise<void> {
  for (let from = 0; from < OTHERS; from += 500) {
    const to = Math.min(OTHERS, from + 500);
    const comments = [];
    const users = [];
    for (let n = from; n < to; n++) {
      comments.push(comment(`other-${n % 500}`, `other-${n}`, n));
      users.push(user(`other-${n}`));
    }
    await models.Comment.collection.insertMany(comments as never[], { ordered: false });
    await models.User.collection.insertMany(users as never[], { ordered: false });
  }
}

/**
 * Memory of the storage's processes, FerretDB (found by its port) and PostgreSQL's (by the data
 * folder, and their children): proportional set size, so that PostgreSQL's shared buffers count
 * once and not once per backend.
 */
function memoryMB(db: LocalDatabase, dataDir: string): number {
  const port = new URL(db.uri).port;
  const pids = new Set<number>();
  const entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).sort((a, b) => a - b);
  for (const pid of entries) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      if (cmdline.includes(`127.0.0.1:${port}`) || cmdline.includes(dataDir) || pids.has(ppid)) pids.add(pid);
    } catch {
      // gone
    }
  }
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return round(kb / 1024, 0);
}

function diskMB(dir: string): number {
  return round(Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]) / 1024, 0);
}

async function connect(db: LocalDatabase): Promise<{ database: Database; models: Models }> {
  const database = await connectDatabase(db.uri);
  const models = buildModels(database.conn);
  await ensureIndexes(models);
  return { database, models };
}

async function runStorage(storage: Storage): Promise<StorageResult> {
  const dataDir = mkdtempSync(join(tmpdir(), `charcha-engines-${storage}-`));
  try {
    let t = Date.now();
    const first = await launchDatabase({ dataDir, engine: storage, log: say });
    const coldStartMs = Date.now() - t;
    await first.stop();
    t = Date.now();
    const db = await launchDatabase({ dataDir, engine: storage });
    const warmStartMs = Date.now() - t;
    if (db.storage !== storage) throw new Error(`asked for ${storage}, got ${db.storage ?? db.kind}`);
    say(`${storage}: ${db.detail}`);
    const { database, models } = await connect(db);
    try {
      await models.Comment.collection.insertMany(Array.from({ length: 100 }, (_, n) => comment(ARTICLE, `thread-${n}`, n)) as never[]);
      await models.User.collection.insertOne(user('author-0') as never);
      say(`${storage}: hot paths with one article stored`);
      const empty = await hotPaths(models, () => 'author-0');
      say(`${storage}: storing ${OTHERS} other comments and ${OTHERS} other users`);
      t = Date.now();
      await seedOthers(models);
      const seedSeconds = round((Date.now() - t) / 1000, 1);
      say(`${storage}: hot paths with them stored`);
      // Users spread over the whole collection (warm-up rounds have negative i).
      const loaded = await hotPaths(models, (i) => `other-${((i + 10) * 7919) % OTHERS}`);
      return { storage, detail: db.detail, coldStartMs, warmStartMs, empty, loaded, seedSeconds, memoryMB: memoryMB(db, dataDir), diskMB: diskMB(dataDir) };
    } finally {
      await database.close();
      await db.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function table(results: StorageResult[]): string {
  const cell = (t: Timing) => `${t.p50} / ${t.p90}`;
  const lines = [
    `| ms, median / p90 (${ROUNDS} rounds) | ${results.map((r) => r.storage).join(' | ')} |`,
    `|---|${results.map(() => '---').join('|')}|`,
  ];
  for (const path of Object.keys(results[0]!.empty)) {
    lines.push(`| ${path}, one article stored | ${results.map((r) => cell(r.empty[path]!)).join(' | ')} |`);
    lines.push(`| ${path}, +${OTHERS} comments and users | ${results.map((r) => cell(r.loaded[path]!)).join(' | ')} |`);
  }
  lines.push(`| cold start (first run), ms | ${results.map((r) => r.coldStartMs).join(' | ')} |`);
  lines.push(`| warm start, ms | ${results.map((r) => r.warmStartMs).join(' | ')} |`);
  lines.push(`| storing ${OTHERS} comments + ${OTHERS} users, s | ${results.map((r) => r.seedSeconds).join(' | ')} |`);
  lines.push(`| memory of its processes at the end (PSS), MB | ${results.map((r) => r.memoryMB).join(' | ')} |`);
  lines.push(`| disk at the end, MB | ${results.map((r) => r.diskMB).join(' | ')} |`);
  return lines.join('\n');
}

const results: StorageResult[] = [];
const loadBefore = loadavg()[0]!;
for (const storage of ['sqlite', 'postgresql'] as const) results.push(await runStorage(storage));
const load = { before: round(loadBefore, 1), after: round(loadavg()[0]!, 1) };
const out = {
  at: new Date().toISOString(),
  command: `npx tsx bench/local-engines.ts ${argv.join(' ')}`.trim(),
  machine: { ...describeMachine(), loadAverage1m: load },
  rounds: ROUNDS,
  others: OTHERS,
  results,
  table: table(results),
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'local-engines.json'), JSON.stringify(out, null, 2) + '\n');
process.stdout.write(`${out.table}\n(1-minute load average: ${load.before} before, ${load.after} after)\n`);
process.exit(0);
