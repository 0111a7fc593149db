// `npx tsx bench/notifications.ts [--rounds=N] [--others=N]`: what a reader's notifications cost
// on the local database's two FerretDB storages, through the project's own launcher, models and
// service: the list's first page, the unread count alone (the inbox by `_id`), marking read, and
// storing one, with only the reader's 30 notifications stored and then with N (default 10,000)
// notifications of 500 other readers. Prints a table (median and p90 in ms); writes
// bench/results/notifications.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor } from '../server/src/domain/actor';
import { NotificationService } from '../server/src/domain/notifications';
import { inboxKey, notificationId, notificationKey } from '../server/src/domain/notifications/keys';
import { launchDatabase, type Storage } from '../server/src/localdb/launcher';
import { connectDatabase } from '../server/src/store/connection';
import { buildModels, ensureIndexes, Types } from '../server/src/store/models';
import { buildNotificationModels, type NotificationDoc } from '../server/src/store/notification-models';
import type { Site } from '../server/src/trust/sites';
import { ROOT } from './processes';
import { timeCalls } from './stats';

const argv = process.argv.slice(2);
const numberArg = (name: string, fallback: number) => Number(argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const ROUNDS = numberArg('rounds', 10);
const OTHERS = numberArg('others', 10_000);
const SITE = 'bench';
const say = (msg: string) => process.stderr.write(`notifications: ${msg}\n`);
type Timing = { p50: number; p90: number };

const measure = (fn: (i: number) => Promise<unknown>): Promise<Timing> => timeCalls(fn, ROUNDS, 2);

function notificationDoc(user: string, at: Date): NotificationDoc {
  const comment = new Types.ObjectId().toHexString();
  return { _id: notificationKey(SITE, user, notificationId(at, comment, 1)), site: SITE, user, kind: 'reply', article: 'a-1', comment, parentId: null, by: { id: 'x', name: 'पाठक' }, excerpt: 'जवाब', reason: null, at };
}

async function runStorage(storage: Storage): Promise<Record<string, Record<string, Timing>>> {
  const dataDir = mkdtempSync(join(tmpdir(), `charcha-notifications-${storage}-`));
  const db = await launchDatabase({ dataDir, engine: storage, log: say });
  try {
    const database = await connectDatabase(db.uri);
    const models = { ...buildModels(database.conn), ...buildNotificationModels(database.conn) };
    await ensureIndexes(buildNotificationModels(database.conn));
    await ensureIndexes(buildModels(database.conn));
    const service = new NotificationService(models, { toUser: () => undefined }, { retentionDays: 30, onError: (e) => say(String(e)) });
    const actor = { site: { id: SITE } as Site, userId: 'me', name: 'मैं', role: 'commenter', guest: false, ip: '127.0.0.1' } as Actor;
    const start = Date.now() - 3600_000;
    const mine = Array.from({ length: 30 }, (_, i) => notificationDoc('me', new Date(start + i * 1000)));
    await models.Notification.insertMany(mine);
    const newest = mine[29]!._id.slice(mine[29]!._id.lastIndexOf(':') + 1);
    const paths = async () => {
      await models.Inbox.replaceOne({ _id: inboxKey(SITE, 'me') }, { readUpTo: '', unread: 30, stored: 0, newest }, { upsert: true });
      let n = 0;
      return {
        'list, first page (20)': await measure(() => service.list(actor, {})),
        'unread count (GET …/unread)': await measure(() => service.unread(actor)),
        'mark part read': await measure(() => service.markRead(actor, mine[10]!._id.slice(mine[10]!._id.lastIndexOf(':') + 1))),
        'mark all read': await measure(() => service.markRead(actor, newest)),
        'store one': await measure(() => models.Notification.create(notificationDoc('me', new Date(start + 100_000 + n++)))),
      };
    };
    say(`${storage}: the reader's 30 notifications alone`);
    const alone = await paths();
    say(`${storage}: storing ${OTHERS} notifications of 500 other readers`);
    for (let i = 0; i < OTHERS; i += 1000) {
      await models.Notification.insertMany(Array.from({ length: Math.min(1000, OTHERS - i) }, (_, j) => notificationDoc(`u${(i + j) % 500}`, new Date(start + i + j))));
    }
    const loaded = await paths();
    await database.close();
    return { alone, loaded };
  } finally {
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results: Record<string, Record<string, Record<string, Timing>>> = {};
for (const storage of ['sqlite', 'postgresql'] as Storage[]) results[storage] = await runStorage(storage);
const cell = (t: Timing) => `${t.p50} / ${t.p90}`;
const lines = [`| ms, median / p90 (${ROUNDS} rounds) | SQLite, alone | SQLite, +${OTHERS} | PostgreSQL, alone | PostgreSQL, +${OTHERS} |`, '|---|---|---|---|---|'];
for (const path of Object.keys(results.sqlite!.alone!)) {
  lines.push(`| ${path} | ${cell(results.sqlite!.alone![path]!)} | ${cell(results.sqlite!.loaded![path]!)} | ${cell(results.postgresql!.alone![path]!)} | ${cell(results.postgresql!.loaded![path]!)} |`);
}
console.log(lines.join('\n'));
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'notifications.json'), JSON.stringify({ rounds: ROUNDS, others: OTHERS, results }, null, 2) + '\n');
process.exit(0);
