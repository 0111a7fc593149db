// The write baseline: the same comment documents inserted with the MongoDB driver, insertOne
// after insertOne from as many concurrent writers, into a collection with the same indexes as
// Charcha's `comments`. Runs when the parent says so and reports the inserts in the window.
// Env: MONGODB_URI, COLLECTION, INDEXES (JSON, as listIndexes gives them), WRITERS, SITE, ARTICLE.
import { MongoClient } from 'mongodb';
import { commentBody, storedComment } from '../comment-doc';
import { serveRuns } from './timed-loop';

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};
const writers = Number(env('WRITERS'));
const indexes = JSON.parse(env('INDEXES')) as { key: Record<string, 1 | -1>; name: string; unique?: boolean }[];

const client = await MongoClient.connect(env('MONGODB_URI'));
const coll = client.db().collection(env('COLLECTION'));
await coll.drop().catch(() => undefined);
await client.db().createCollection(env('COLLECTION'));
const own = indexes.filter((i) => i.name !== '_id_');
if (own.length) await coll.createIndexes(own.map((i) => ({ key: i.key, name: i.name, ...(i.unique ? { unique: true } : {}) })));
const sent = Array.from({ length: writers }, () => 0);

serveRuns(
  writers,
  async (w) => {
    const n = sent[w]!++;
    const doc = storedComment({
      site: env('SITE'),
      article: env('ARTICLE'),
      authorId: `writer-${w}`,
      authorName: `Writer ${w}`,
      clientId: `raw-${w}-${n}`,
      body: commentBody(0, w * 1_000_000 + n),
      createdAt: new Date(),
    });
    try {
      await coll.insertOne(doc as never);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  },
  () => client.close(),
);
