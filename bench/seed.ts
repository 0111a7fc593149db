// Seeds an article straight into the database, in the shape the server stores: top-level
// comments (and optionally replies under the first ones), and the article document with its
// seq and counts. Returns the top-level comment ids, newest first.
import { ObjectId, type MongoClient } from 'mongodb';
import { articleKey } from '../server/src/store/models';
import { commentBody, storedComment } from './comment-doc';

const AUTHORS = 200;

export interface SeedOptions {
  site: string;
  article: string;
  /** Top-level comments. */
  count: number;
  /** Replies, spread over the first (oldest) top-level comments, a few each. */
  replies?: number;
}

export async function seedArticle(driver: MongoClient, dbName: string, o: SeedOptions): Promise<string[]> {
  const db = driver.db(dbName);
  const ids: string[] = [];
  const total = o.count + (o.replies ?? 0);
  const start = Date.now() - total * 1000;
  const doc = (n: number) =>
    storedComment({
      site: o.site,
      article: o.article,
      authorId: `reader-${n % AUTHORS}`,
      authorName: `Reader ${n % AUTHORS}`,
      clientId: `seed-${o.article}-${n}`,
      body: commentBody(0, n),
      createdAt: new Date(start + n * 1000),
      seq: n + 1,
    });
  for (let from = 0; from < o.count; from += 1000) {
    const docs = [];
    for (let n = from; n < Math.min(o.count, from + 1000); n++) docs.push(doc(n));
    await db.collection('comments').insertMany(docs as never[], { ordered: false });
    ids.push(...docs.map((d) => String(d._id)));
  }
  const replies = [];
  for (let r = 0; r < (o.replies ?? 0); r++) {
    const parent = ids[Math.floor(r / 3)]!;
    const reply = doc(o.count + r);
    replies.push({ ...reply, parentId: new ObjectId(parent), ancestors: [new ObjectId(parent)], depth: 1 });
  }
  if (replies.length) await db.collection('comments').insertMany(replies as never[], { ordered: false });
  await db.collection('articles').updateOne(
    { _id: articleKey(o.site, o.article) as never },
    { $set: { commentCount: total, topLevelCount: o.count, seq: total }, $setOnInsert: { site: o.site, article: o.article, reactions: {}, locked: false, premod: null, createdAt: new Date() } },
    { upsert: true },
  );
  return ids.reverse();
}
