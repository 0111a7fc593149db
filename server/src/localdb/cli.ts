// `npm run db`: start a local database for development and keep it running.
//   npm run db                 data in .data/db
//   npm run db -- --data DIR   data in DIR
//   npm run db -- --temp       data in a fresh temporary folder, deleted on exit
//   npm run db -- --check      start, ping, stop and exit (builds the local database if needed)
// MONGODB_URI, when set, is used as is and nothing is started.
// LOCAL_DB_ENGINE (sqlite, postgresql) and LOCAL_POSTGRES_URL choose FerretDB's storage (README).
// stdout carries only the `MONGODB_URI=...` line (scripts can read it); the rest goes to stderr.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchDatabase } from './launcher';

const USAGE = 'usage: npm run db [-- --data DIR | --temp] [--check]';

async function main(): Promise<void> {
  let values: { data?: string; temp?: boolean; check?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { data: { type: 'string' }, temp: { type: 'boolean' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.error(USAGE);
    return;
  }
  if (values.data && values.temp) {
    console.error(`--data and --temp exclude each other\n${USAGE}`);
    process.exit(2);
  }

  const uri = process.env.MONGODB_URI || undefined;
  const tempDir = values.temp && !uri ? await mkdtemp(join(tmpdir(), 'charcha-db-')) : undefined;
  const dataDir = tempDir ?? values.data ?? '.data/db';
  const log = (msg: string) => console.error(`[db] ${msg}`);

  let db;
  try {
    db = await launchDatabase({ uri, dataDir, log });
  } catch (err) {
    console.error(`[db] ${(err as Error).message}`);
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    process.exit(1);
  }

  console.log(`MONGODB_URI=${db.uri}`);
  if (db.kind === 'external') {
    console.error('[db] MONGODB_URI is set: using that database, nothing to start.');
    return;
  }
  console.error(`[db] ${db.detail}`);
  if (values.check) {
    await db.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    console.error('[db] check passed: the local database starts and answers.');
    return;
  }
  console.error(`[db] run nodes against it, one port each: MONGODB_URI=${db.uri} PORT=8081 npm start`);
  console.error('[db] Ctrl+C stops the database.');

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`[db] ${signal}: stopping the database...`);
    await db.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    console.error('[db] stopped.');
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGHUP', shutdown);
  // The database process keeps the event loop alive. If the loop empties, it has died.
  process.on('beforeExit', () => {
    if (stopping) return;
    console.error('[db] the database process ended unexpectedly.');
    process.exit(1);
  });
}

await main();
