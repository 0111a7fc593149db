// The zero-config database launcher: it starts a server that answers, keeps text byte for byte,
// keeps data across restarts on one data folder, frees its port on stop, and leaves an
// explicit MONGODB_URI alone. Where PostgreSQL is installed, FerretDB stores into a private
// cluster that stops with it; SQLite stays the fallback whenever PostgreSQL cannot be used.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import { freePort } from '../../server/src/localdb/databaseProcess';
import { findOnPath } from '../../server/src/localdb/executables';
import { launchDatabase, type LocalDatabase } from '../../server/src/localdb/launcher';
import { startPostgresCluster } from '../../server/src/localdb/postgresCluster';
import { findPostgresInstalls } from '../../server/src/localdb/postgresInstall';
import { isDuplicateKey } from '../../server/src/store/connection';

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
    assert.match(db.uri, /^mongodb:\/\/127\.0\.0\.1:\d+\/charcha$/, 'the URI names the database');
    await withClient(db.uri, async (client) => {
      assert.deepEqual(await client.db('admin').command({ ping: 1 }), { ok: 1 });
    });
  });

  it('stores into a private PostgreSQL cluster under the data folder where PostgreSQL is installed', async function () {
    if (!(await defaultIsPrivatePostgres())) this.skip();
    assert.equal(db!.kind, 'ferretdb');
    assert.equal(db!.storage, 'postgresql');
    assert.match(db!.detail, /PostgreSQL \d+/);
    assert.ok(await postgresPort(dataDir), 'postmaster.pid names the running cluster');
  });

  it('answers insert and find in the named database, and a unique index violation with 11000', async function () {
    await withClient(db!.uri, async (client) => {
      const users = client.db().collection<{ site: string; userId: string; name: string }>('users');
      await users.createIndex({ site: 1, userId: 1 }, { unique: true });
      await users.insertOne({ site: 's', userId: 'u1', name: 'first' });
      await users.insertOne({ site: 's', userId: 'u2', name: 'other' });
      const err: unknown = await users.insertOne({ site: 's', userId: 'u1', name: 'second' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isDuplicateKey(err), `expected a duplicate key error, got ${String(err)}`);
      const found = await users.find({ site: 's', userId: 'u1' }).toArray();
      assert.deepEqual(found.map((u) => u.name), ['first']);
      const names = (await client.db('admin').admin().listDatabases({ nameOnly: true })).databases.map((d) => d.name);
      assert.ok(names.includes('charcha'), `databases: ${names.join(', ')}`);
      assert.ok(!names.includes('test'), 'nothing lands in `test`');
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
    const pgPort = first.storage === 'postgresql' ? await postgresPort(dataDir) : undefined;
    await first.stop();
    db = undefined;
    assert.equal(await portAcceptsConnections(port), false, `port ${port} still open after stop()`);
    if (pgPort) {
      assert.equal(await portAcceptsConnections(pgPort), false, `PostgreSQL's port ${pgPort} still open after stop()`);
      assert.equal(await postgresPort(dataDir), undefined, 'postmaster.pid left behind');
    }
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
    assert.equal(again.storage, db!.storage);
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

describe('localdb launcher: FerretDB storage', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const started: LocalDatabase[] = [];
  const newDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'charcha-localdb-storage-'));
    dirs.push(dir);
    return dir;
  };
  const launch = async (opts: Parameters<typeof launchDatabase>[0]) => {
    const db = await launchDatabase(opts);
    started.push(db);
    return db;
  };

  afterEach(async function () {
    for (const db of started.splice(0)) await db.stop();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('uses SQLite when told to (LOCAL_DB_ENGINE=sqlite), and a unique index answers 11000 there too', async function () {
    const db = await launch({ dataDir: await newDir(), engine: 'sqlite' });
    assert.equal(db.kind, 'ferretdb');
    assert.equal(db.storage, 'sqlite');
    await withClient(db.uri, async (client) => {
      const things = client.db().collection<{ key: string }>('things');
      await things.createIndex({ key: 1 }, { unique: true });
      await things.insertOne({ key: 'k' });
      await assert.rejects(things.insertOne({ key: 'k' }), (err: unknown) => isDuplicateKey(err));
    });
  });

  it('falls back to SQLite, saying why, when the configured PostgreSQL does not answer', async function () {
    const logs: string[] = [];
    const closed = `postgres://charcha:pw@127.0.0.1:${await freePort()}/postgres`;
    const db = await launch({ dataDir: await newDir(), postgresUrl: closed, log: (m) => logs.push(m) });
    assert.equal(db.storage, 'sqlite');
    assert.ok(logs.some((l) => /PostgreSQL not used \(LOCAL_POSTGRES_URL: nothing answers/.test(l)), logs.join('\n'));
    await withClient(db.uri, async (client) => {
      assert.deepEqual(await client.db('admin').command({ ping: 1 }), { ok: 1 });
    });
  });

  it('falls back to SQLite, saying why, when the private cluster cannot be made', async function () {
    const dir = await newDir();
    await writeFile(join(dir, 'postgresql'), 'a file where the cluster folder would go\n');
    const logs: string[] = [];
    const db = await launch({ dataDir: dir, engine: 'auto', log: (m) => logs.push(m) });
    if (db.kind !== 'ferretdb') this.skip(); // mongod on PATH comes first
    assert.equal(db.storage, 'sqlite');
    assert.equal(logs.filter((l) => l.startsWith('PostgreSQL not used (')).length, 1, logs.join('\n'));
  });

  it('refuses, rather than falls back, when PostgreSQL is required and cannot be used', async function () {
    const closed = `postgres://charcha:pw@127.0.0.1:${await freePort()}/postgres`;
    const dir = await newDir();
    await assert.rejects(launch({ dataDir: dir, engine: 'postgresql', postgresUrl: closed }), /LOCAL_DB_ENGINE=postgresql: .*nothing answers/);
    await assertNothingLeft(dir);
  });

  it('keeps SQLite for a data folder whose SQLite already holds data', async function () {
    const dir = await newDir();
    const first = await launch({ dataDir: dir, engine: 'sqlite' });
    await withClient(first.uri, (client) => client.db().collection('notes').insertOne({ _id: 'kept' } as never).then(() => undefined));
    await first.stop();
    const logs: string[] = [];
    const again = await launch({ dataDir: dir, engine: 'auto', log: (m) => logs.push(m) });
    if (again.kind !== 'ferretdb') this.skip();
    assert.equal(again.storage, 'sqlite');
    await withClient(again.uri, async (client) => {
      assert.equal(await client.db().collection('notes').countDocuments({ _id: 'kept' } as never), 1);
    });
    if (await postgresInstalled()) assert.ok(logs.some((l) => /already holds this data folder's data/.test(l)), logs.join('\n'));
  });

  it('stores into the PostgreSQL named by LOCAL_POSTGRES_URL, without showing its password', async function () {
    if (!(await postgresInstalled())) this.skip();
    const cluster = await startPostgresCluster(await newDir(), () => {});
    try {
      const dir = await newDir();
      const db = await launch({ dataDir: dir, postgresUrl: cluster.url });
      assert.equal(db.storage, 'postgresql');
      const password = decodeURIComponent(new URL(cluster.url).password);
      assert.ok(!db.detail.includes(password), db.detail);
      assert.match(db.detail, /PostgreSQL at postgres:\/\/charcha:\*\*\*@127\.0\.0\.1:\d+\/postgres/);
      await withClient(db.uri, async (client) => {
        await client.db().collection('notes').insertOne({ _id: 'pg' } as never);
        assert.equal(await client.db().collection('notes').countDocuments({}), 1);
      });
      await db.stop();
      await assert.rejects(readFile(join(dir, 'postgresql', 'initialized')), { code: 'ENOENT' }, 'no private cluster');
    } finally {
      await cluster.stop();
    }
  });

  it('stops the PostgreSQL left running by a launcher that was killed, and starts again', async function () {
    if (!(await postgresInstalled())) this.skip();
    const dir = await newDir();
    const cli = spawn(process.execPath, ['--import', 'tsx', 'server/src/localdb/cli.ts', '--data', dir], {
      env: { ...process.env, LOCAL_DB_ENGINE: 'postgresql', MONGODB_URI: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    cli.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const lines = createInterface({ input: cli.stdout! });
    const first = await Promise.race([once(lines, 'line'), once(cli, 'exit')]);
    assert.match(String(first[0]), /^MONGODB_URI=mongodb:\/\/127\.0\.0\.1:\d+\/charcha$/, stderr);
    const leftover = await postgresPid(dir);
    assert.ok(leftover);
    cli.kill('SIGKILL'); // no stop(): its FerretDB ends with its stdin, its PostgreSQL stays
    await once(cli, 'exit');
    assert.ok(isRunning(leftover), 'the killed launcher left its PostgreSQL running');

    const db = await launch({ dataDir: dir, engine: 'postgresql' });
    assert.equal(db.storage, 'postgresql');
    assert.ok(!isRunning(leftover), 'the leftover PostgreSQL was stopped');
    await withClient(db.uri, async (client) => {
      assert.deepEqual(await client.db('admin').command({ ping: 1 }), { ok: 1 });
    });
  });
});

/** A failed launch leaves no owner file and no lock behind. */
async function assertNothingLeft(dir: string): Promise<void> {
  await assert.rejects(readFile(join(dir, 'charcha-db.json')), { code: 'ENOENT' });
  await assert.rejects(readFile(join(dir, 'launch.lock')), { code: 'ENOENT' });
}

async function postgresInstalled(): Promise<boolean> {
  return (await findPostgresInstalls()).length > 0;
}

/** Whether the launcher, left to itself, should pick FerretDB on a private PostgreSQL here. */
async function defaultIsPrivatePostgres(): Promise<boolean> {
  const env = process.env;
  if (env.LOCAL_POSTGRES_URL || (env.LOCAL_DB_ENGINE && env.LOCAL_DB_ENGINE !== 'auto')) return false;
  if (findOnPath('mongod') || findOnPath('ferretdb')) return false;
  return postgresInstalled();
}

async function postmasterLines(dataDir: string): Promise<string[] | undefined> {
  const text = await readFile(join(dataDir, 'postgresql', 'data', 'postmaster.pid'), 'utf8').catch(() => undefined);
  return text?.split('\n');
}

async function postgresPort(dataDir: string): Promise<number | undefined> {
  const lines = await postmasterLines(dataDir);
  return lines ? Number(lines[3]) : undefined;
}

async function postgresPid(dataDir: string): Promise<number | undefined> {
  const lines = await postmasterLines(dataDir);
  return lines ? Number(lines[0]) : undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

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
