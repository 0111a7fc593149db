// One real database for the whole test run, started through the project's own launcher in a
// temporary folder: FerretDB on a private PostgreSQL cluster where PostgreSQL is installed, on
// SQLite otherwise (LOCAL_DB_ENGINE=sqlite forces SQLite; TEST_MONGODB_URI uses a MongoDB as is).
// Each server gets its own database name. The database stops and its folder goes when the run
// ends (a PostgreSQL cluster takes tens of MB).
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchDatabase, type LocalDatabase } from '../../server/src/localdb/launcher';

let shared: Promise<LocalDatabase> | null = null;
let dir: string | undefined;
let counter = 0;

export function testDatabase(): Promise<LocalDatabase> {
  if (!shared) {
    dir = mkdtempSync(join(tmpdir(), 'charcha-test-db-'));
    shared = launchDatabase({ uri: process.env.TEST_MONGODB_URI, dataDir: dir, log: (m) => process.stderr.write(`  [db] ${m}\n`) });
  }
  return shared;
}

/** A URI naming a fresh database on the shared server. */
export async function freshDatabaseUri(prefix = 't'): Promise<string> {
  const db = await testDatabase();
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const u = new URL(db.uri);
  u.pathname = '/' + name;
  return u.toString();
}

// Imported while mocha loads the test files, outside any describe: a hook of the whole run.
if (typeof after === 'function') {
  after(async function () {
    this.timeout(60_000);
    const db = await shared?.catch(() => undefined);
    await db?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
}
