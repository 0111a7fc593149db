// The local database on SQLite answers `_id` lookups from an index. FerretDB sends an `_id`
// equality as `WHERE _ferretdb_sjson->'$._id' = ?`, but its own index on `_id` is on
// `_ferretdb_sjson->"_id"`, which SQLite does not match to that expression; our FerretDB
// program gives every collection table an index on the query's exact expression, within a few
// seconds of the table's creation (server/localdb/ferretdb/sqliteidindex.go). FerretDB's
// `explain` shows SQLite's plan for the query it sends. The tests run on a SQLite-stored
// database of their own, whatever storage the shared test database has; with an external
// MongoDB or a `mongod` (no FerretDB built here) they are skipped.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { launchDatabase, type LocalDatabase } from '../../server/src/localdb/launcher';
import { testDatabase } from '../helpers/db';
import { assertFindsById, storeMixedIds } from '../helpers/id-lookups';
import { startTestServer, type TestServer } from '../helpers/server';

const HOT = ['comments', 'users', 'events', 'articles'];

/**
 * SQLite's plan (`detail` of each row) for FerretDB's query for `find({_id})` on `collection`.
 * The lookup runs first: a SQLite connection notices a schema change made by another one (the
 * sweep's index) only when it runs a statement, and `EXPLAIN QUERY PLAN` does not read the
 * database, so until then it shows the plan from before.
 */
async function planFor(db: mongoose.mongo.Db, collection: string, id: unknown): Promise<string[]> {
  await db.collection(collection).findOne({ _id: id as never });
  const explained = await db.command({ explain: { find: collection, filter: { _id: id }, limit: 1 } });
  const rows = ((explained.queryPlanner as { Plan?: string[] } | undefined)?.Plan ?? []).map((row) => row.replace(/^.*? detail=/, ''));
  assert.equal(explained.filterPushdown, true, `${collection}: FerretDB did not send the _id filter to SQLite`);
  return rows;
}

/** Polls until the `_id` lookup on `collection` searches our index (the sweep runs every 3 s). */
async function waitForIdIndex(db: mongoose.mongo.Db, collection: string, id: unknown): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const plan = await planFor(db, collection, id);
    if (plan.length > 0 && plan.every((row) => /^SEARCH \S+ USING INDEX \S+_id_sjson \(<expr>=\?\)$/.test(row))) return plan;
    if (Date.now() > deadline) assert.fail(`${collection}: the _id lookup's plan is ${plan.join(' | ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('_id lookups on the local SQLite', function () {
  this.timeout(120_000);
  let local: LocalDatabase | undefined;
  let dir: string | undefined;
  let server: TestServer;
  let raw: mongoose.Connection;

  before(async function () {
    if ((await testDatabase()).kind !== 'ferretdb') this.skip();
    dir = mkdtempSync(join(tmpdir(), 'charcha-test-sqlite-'));
    local = await launchDatabase({ dataDir: dir, engine: 'sqlite' });
    assert.equal(local.storage, 'sqlite');
    const uri = new URL(local.uri);
    uri.pathname = `/t_sqlite_id_${process.pid}_${Date.now().toString(36)}`;
    server = await startTestServer({ mongoUri: uri.toString() });
    raw = await mongoose.createConnection(server.mongoUri, { maxPoolSize: 1 }).asPromise();
  });

  after(async () => {
    await raw?.close();
    await server?.close();
    await local?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves the hot collections from the _id index once the server has started', async () => {
    const db = raw.db!;
    for (const collection of HOT) await waitForIdIndex(db, collection, 'demo:someone');
  });

  it('indexes a collection made later, whose lookups, updates and deletes by _id touch exactly the one', async () => {
    const db = raw.db!;
    const { collection, ids } = await storeMixedIds(db);
    await waitForIdIndex(db, collection.collectionName, 'demo:user-777');
    await waitForIdIndex(db, collection.collectionName, ids[321]);
    await assertFindsById(collection, ids);

    // Updates and deletes by `_id` find their document through the same query.
    assert.equal((await collection.updateOne({ _id: 'demo:user-12' }, { $set: { text: 'बदला' } })).modifiedCount, 1);
    assert.equal((await collection.updateOne({ _id: ids[12] }, { $inc: { n: 1000 } })).modifiedCount, 1);
    assert.equal((await collection.deleteOne({ _id: 'demo:user-13' })).deletedCount, 1);
    assert.equal((await collection.deleteOne({ _id: ids[13] })).deletedCount, 1);
    assert.equal((await collection.deleteOne({ _id: 'demo:nobody' })).deletedCount, 0);
    assert.deepEqual(await collection.find({ _id: { $in: ['demo:user-12', 'demo:user-13', ids[12], ids[13]] } }).toArray(), [
      { _id: 'demo:user-12', n: 12, text: 'बदला' },
      { _id: ids[12], n: 1012, text: 'लेख 12' },
    ]);
    assert.equal(await collection.countDocuments({}), 2998);
    // FerretDB's own unique index still refuses a second document with a taken `_id`.
    await assert.rejects(collection.insertOne({ _id: 'demo:user-12', n: 0, text: '' }), (err: { code?: number }) => err.code === 11000);
  });
});
