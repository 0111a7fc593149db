// The local database on PostgreSQL answers `_id` lookups from an index. FerretDB sends them as
// `(_jsonb->'_id') @> $1`, which its own btree on `_id` cannot serve; our FerretDB program
// gives every collection table a GIN index (jsonb_path_ops) on that expression, within a few
// seconds of the table's creation (server/localdb/ferretdb/idindex.go). FerretDB's `explain`
// shows PostgreSQL's plan for the query it sends. On SQLite (no PostgreSQL installed, or
// LOCAL_DB_ENGINE=sqlite) or an external MongoDB these tests are skipped: SQLite's `_id` index
// is checked by sqlite-id-index.test.ts, MongoDB serves `_id` from its own index.
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { testDatabase } from '../helpers/db';
import { assertFindsById, storeMixedIds } from '../helpers/id-lookups';
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
    const { collection, ids } = await storeMixedIds(db);
    await waitForIdIndex(db, collection.collectionName, 'demo:user-777');
    await waitForIdIndex(db, collection.collectionName, ids[321]);
    await assertFindsById(collection, ids);
  });
});
