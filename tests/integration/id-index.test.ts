// The local database on PostgreSQL answers `_id` lookups from an index. FerretDB sends them as
// `(_jsonb->'_id') @> $1`, which its own btree on `_id` cannot serve; our FerretDB program
// gives every collection table a GIN index (jsonb_path_ops) on that expression, within a few
// seconds of the table's creation (server/localdb/ferretdb/idindex.go). FerretDB's `explain`
// shows PostgreSQL's plan for the query it sends. On SQLite (no PostgreSQL installed, or
// LOCAL_DB_ENGINE=sqlite) or an external MongoDB these tests are skipped: SQLite serves `_id`
// from its primary key, MongoDB from its own index.
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { testDatabase } from '../helpers/db';
import { startTestServer, type TestServer } from '../helpers/server';

const HOT = ['comments', 'users', 'events', 'articles'];

interface PlanNode {
  'Node Type'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function indexesIn(plan: PlanNode | undefined): string[] {
  if (!plan) return [];
  return [...(plan['Index Name'] ? [plan['Index Name']] : []), ...(plan.Plans ?? []).flatMap(indexesIn)];
}

/** The PostgreSQL indexes FerretDB's plan for `find({_id})` on `collection` uses. */
async function indexesFor(db: mongoose.mongo.Db, collection: string, id: unknown): Promise<string[]> {
  const explained = await db.command({ explain: { find: collection, filter: { _id: id } } });
  return indexesIn((explained.queryPlanner as { Plan?: PlanNode } | undefined)?.Plan);
}

/** Polls until the `_id` lookup on `collection` uses its GIN index (the sweep runs every 3 s). */
async function waitForIdIndex(db: mongoose.mongo.Db, collection: string, id: unknown): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const used = await indexesFor(db, collection, id);
    if (used.some((name) => name.endsWith('_id_gin'))) return used;
    if (Date.now() > deadline) assert.fail(`${collection}: the _id lookup uses ${used.length ? used.join(', ') : 'no index'}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('_id lookups on the local PostgreSQL', function () {
  this.timeout(60_000);
  let server: TestServer;
  let raw: mongoose.Connection;

  before(async function () {
    const local = await testDatabase();
    if (local.kind !== 'ferretdb' || local.storage !== 'postgresql') this.skip();
    server = await startTestServer();
    raw = await mongoose.createConnection(server.mongoUri, { maxPoolSize: 1 }).asPromise();
  });

  after(async () => {
    await raw?.close();
    await server?.close();
  });

  it('serves the hot collections from the _id GIN index once the server has started', async () => {
    const db = raw.db!;
    for (const collection of HOT) {
      const used = await waitForIdIndex(db, collection, 'demo:someone');
      assert.ok(used.every((name) => name.endsWith('_id_gin')), `${collection}: ${used.join(', ')}`);
    }
  });

  it('indexes a collection made later, and its lookups with thousands stored find exactly the one', async () => {
    const db = raw.db!;
    const collection = db.collection<{ _id: string | mongoose.Types.ObjectId; n: number; text: string }>(`later_${Date.now().toString(36)}`);
    const ids = Array.from({ length: 1500 }, () => new mongoose.Types.ObjectId());
    const docs = [
      ...Array.from({ length: 1500 }, (_, n) => ({ _id: `demo:user-${n}`, n, text: `टिप्पणी ${n}` })),
      ...ids.map((_id, n) => ({ _id, n, text: `लेख ${n}` })),
    ];
    await collection.insertMany(docs);

    await waitForIdIndex(db, collection.collectionName, 'demo:user-777');
    await waitForIdIndex(db, collection.collectionName, ids[321]);
    assert.deepEqual(await collection.find({ _id: 'demo:user-777' }).toArray(), [{ _id: 'demo:user-777', n: 777, text: 'टिप्पणी 777' }]);
    const byObjectId = await collection.find({ _id: ids[321] }).toArray();
    assert.deepEqual(byObjectId.map((d) => [String(d._id), d.n]), [[String(ids[321]), 321]]);
    assert.deepEqual(await collection.find({ _id: 'demo:nobody' }).toArray(), []);
  });
});
