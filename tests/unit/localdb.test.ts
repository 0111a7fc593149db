// The zero-config database launcher: it starts a server that answers, keeps text byte for byte,
// keeps data across restarts on one data folder, frees its port on stop, and leaves an
// explicit MONGODB_URI alone.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { launchDatabase, type LocalDatabase } from '../../server/src/localdb/launcher';

// Devanagari KSSA written with a zero-width joiner: a string normalization or re-encoding
// anywhere in the path would change its bytes.
const KSSA_ZWJ = 'क्\u200Dष';

describe('localdb launcher', function () {
  let dataDir: string;
  let db: LocalDatabase | undefined;
  const logs: string[] = [];

  before(async function () {
    this.timeout(600_000); // the first run builds FerretDB, about 2 minutes
    dataDir = await mkdtemp(join(tmpdir(), 'charcha-localdb-test-'));
    const started = Date.now();
    db = await launchDatabase({ dataDir, log: (m) => logs.push(m) });
    console.log(`      [${db.kind}] ${db.detail} (ready in ${Date.now() - started} ms)`);
  });

  after(async function () {
    this.timeout(30_000);
    await db?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('starts a local server that answers a ping', async function () {
    assert.ok(db);
    assert.notEqual(db.kind, 'external');
    assert.match(db.uri, /^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    await withClient(db.uri, async (client) => {
      assert.deepEqual(await client.db('admin').command({ ping: 1 }), { ok: 1 });
    });
  });

  it('stores and returns a Hindi string with a ZWJ byte for byte', async function () {
    await withClient(db!.uri, async (client) => {
      const notes = client.db('charcha_localdb_test').collection<{ _id: string; text: string }>('notes');
      await notes.insertOne({ _id: 'kssa', text: KSSA_ZWJ });
      const back = await notes.findOne({ _id: 'kssa' });
      assert.ok(back);
      assert.deepEqual(Buffer.from(back.text, 'utf8'), Buffer.from(KSSA_ZWJ, 'utf8'));
      assert.equal(back.text.length, 4);
      // The stored string is also what a query matches on.
      assert.equal(await notes.countDocuments({ text: KSSA_ZWJ }), 1);
    });
  });

  it('frees its port on stop, and a restart on the same data folder keeps the data', async function () {
    this.timeout(120_000);
    const first = db!;
    const port = Number(new URL(first.uri).port);
    await first.stop();
    db = undefined;
    assert.equal(await portAcceptsConnections(port), false, `port ${port} still open after stop()`);
    await first.stop(); // a second stop is harmless

    const started = Date.now();
    db = await launchDatabase({ dataDir });
    console.log(`      warm restart: ready in ${Date.now() - started} ms`);
    await withClient(db.uri, async (client) => {
      const notes = client.db('charcha_localdb_test').collection<{ _id: string; text: string }>('notes');
      const back = await notes.findOne({ _id: 'kssa' });
      assert.equal(back?.text, KSSA_ZWJ);
    });
  });

  it('reuses the running server when launched again on the same data folder', async function () {
    const again = await launchDatabase({ dataDir });
    assert.equal(again.uri, db!.uri);
    assert.equal(again.kind, db!.kind);
    await again.stop(); // not the owner: must leave the server running
    await withClient(db!.uri, async (client) => {
      assert.deepEqual(await client.db('admin').command({ ping: 1 }), { ok: 1 });
    });
  });

  it('returns an explicit uri untouched, as external, and starts nothing', async function () {
    const uri = 'mongodb://user:secret@db.example.invalid:27017/charcha?replicaSet=rs0&authSource=admin';
    const external = await launchDatabase({ uri, dataDir: join(dataDir, 'must-not-be-created') });
    assert.equal(external.uri, uri);
    assert.equal(external.kind, 'external');
    assert.ok(!external.detail.includes('secret'), 'detail must not show the password');
    await external.stop();
    await assert.rejects(rm(join(dataDir, 'must-not-be-created'), { recursive: true }), { code: 'ENOENT' });
  });
});

async function withClient(uri: string, fn: (client: MongoClient) => Promise<void>): Promise<void> {
  const client = new MongoClient(uri, { directConnection: true, serverSelectionTimeoutMS: 5_000 });
  try {
    await client.connect();
    await fn(client);
  } finally {
    await client.close();
  }
}

function portAcceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
