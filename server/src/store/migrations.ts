// Brings a database written by an earlier version up to date, once: each step runs when its
// name is not yet in the `migrations` collection, is idempotent (safe to run again if a start
// died half way), and is recorded when done. Several nodes starting at once may each run a
// step; every step is written so that running it twice changes nothing.
import type { Connection } from 'mongoose';
import { createHash } from 'node:crypto';
import { trusted, type Models } from './models';
import { createSnapshotCollections } from './thread-snapshots';

interface Step {
  name: string;
  run(models: Models, conn: Connection): Promise<void>;
}

/** Retries of posts older than this are not expected; their keys are not backfilled. */
const POST_KEY_BACKFILL_MS = 24 * 3600 * 1000;

export function postKey(site: string, authorId: string, article: string, clientId: string): string {
  return createHash('sha256').update(`${site}\u0000${authorId}\u0000${article}\u0000${clientId}`).digest('base64url');
}

const STEPS: Step[] = [
  {
    // Comments get a revision and an explicit readers' visibility (the lifecycle's fields).
    name: '2026-12-comment-rev-visible',
    async run({ Comment }) {
      await Comment.updateMany({ rev: trusted({ $exists: false }) }, { $set: { rev: 1 } });
      await Comment.updateMany({ visible: trusted({ $exists: false }), status: trusted({ $in: ['published', 'deleted'] }) }, { $set: { visible: true } });
      await Comment.updateMany({ visible: trusted({ $exists: false }) }, { $set: { visible: false } });
    },
  },
  {
    // Idempotent posts moved from a unique index on the comments to keys read by `_id`.
    name: '2026-12-post-keys',
    async run({ Comment, PostKey }, conn) {
      const since = new Date(Date.now() - POST_KEY_BACKFILL_MS);
      const recent = await Comment.find({ createdAt: trusted({ $gte: since }) }, { site: 1, article: 1, author: 1, clientId: 1 }).lean();
      for (const c of recent) {
        const _id = postKey(c.site, c.author.id, c.article, c.clientId);
        await PostKey.updateOne({ _id }, { $setOnInsert: { commentId: c._id, at: new Date() } }, { upsert: true }).catch(() => undefined);
      }
      const comments = conn.collection('comments');
      for (const name of ['site_1_author.id_1_clientId_1', 'site_1_author.id_1_createdAt_-1']) {
        await comments.dropIndex(name).catch(() => undefined);
      }
    },
  },
  {
    // Articles and users keyed by `_id` (`<site>:<article>`, `<site>:<userId>`) instead of
    // unique indexes on {site, article} and {site, userId}, which FerretDB does not serve.
    name: '2026-12-keyed-articles-users',
    async run(_models, conn) {
      for (const [name, field, index] of [['articles', 'article', 'site_1_article_1'], ['users', 'userId', 'site_1_userId_1']] as const) {
        const coll = conn.collection(name);
        await coll.dropIndex(index).catch(() => undefined);
        const old = (await coll.find({}).toArray()).filter((d) => typeof d._id !== 'string');
        for (const d of old) {
          const { _id, ...rest } = d;
          const key = `${rest.site}:${rest[field]}`;
          await coll.insertOne({ ...rest, _id: key } as never).catch((err) => {
            if ((err as { code?: number }).code !== 11000) throw err;
          });
          await coll.deleteOne({ _id });
        }
      }
    },
  },
  {
    // Thread snapshots (first pages by `_id`) and the locks their writers take on FerretDB.
    name: '2026-12-thread-snapshots',
    async run(_models, conn) {
      await createSnapshotCollections(conn);
    },
  },
];

export async function migrate(models: Models, conn: Connection): Promise<string[]> {
  const done = conn.collection<{ _id: string; at: Date }>('migrations');
  const ran: string[] = [];
  for (const step of STEPS) {
    if (await done.findOne({ _id: step.name })) continue;
    await step.run(models, conn);
    // Several nodes starting at once may each run a step; the record is written once.
    await done.updateOne({ _id: step.name }, { $setOnInsert: { at: new Date() } }, { upsert: true }).catch((err) => {
      if ((err as { code?: number }).code !== 11000) throw err;
    });
    ran.push(step.name);
  }
  return ran;
}
