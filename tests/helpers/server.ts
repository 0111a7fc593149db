// A real Charcha server in this process, on a free port, against the shared test database.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../server/src/app';
import { loadConfig } from '../../server/src/config';
import { createLogger } from '../../server/src/log';
import { connectDatabase, type Database } from '../../server/src/store/connection';
import { freshDatabaseUri } from './db';

export interface TestServerOptions {
  /** Extra environment (e.g. REDIS_URL). */
  env?: Record<string, string>;
  /** Sites to serve instead of the demo site (written to a temporary SITES_FILE). */
  sites?: unknown[];
  /** Reuse a database (e.g. to share one between two servers). */
  mongoUri?: string;
  /** Listen on this port (e.g. to restart on the same address). */
  port?: number;
}

export interface TestServer {
  url: string;
  port: number;
  mongoUri: string;
  app: App;
  db: Database;
  close(): Promise<void>;
  /** Stops the server and starts a new one on the same port and database. */
  restart(): Promise<TestServer>;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const mongoUri = opts.mongoUri ?? (await freshDatabaseUri());
  // Rate limits are off unless a test turns them on (RATE_LIMITS: 'on'): suites post in bulk
  // from one address; tests/integration/trust-limits.test.ts checks the limits themselves.
  const env: Record<string, string> = { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', HOST: '127.0.0.1', PORT: String(opts.port ?? 0), MONGODB_URI: mongoUri, RATE_LIMITS: 'off', ...opts.env };
  if (opts.sites) {
    const file = join(mkdtempSync(join(tmpdir(), 'charcha-sites-')), 'sites.json');
    writeFileSync(file, JSON.stringify(opts.sites));
    env.SITES_FILE = file;
  }
  const config = loadConfig(env);
  const db = await connectDatabase(mongoUri);
  const app = await createApp(config, db, createLogger(config.LOG_LEVEL));
  const addr = await app.listen(config.PORT, config.HOST);
  const server: TestServer = {
    url: `http://127.0.0.1:${addr.port}`,
    port: addr.port,
    mongoUri,
    app,
    db,
    async close() {
      await app.close();
      await db.close();
    },
    async restart() {
      await server.close();
      return startTestServer({ ...opts, mongoUri, port: addr.port });
    },
  };
  return server;
}

/**
 * The database calls (`<collection>.<method>`) made while `fn` runs. The connection's log also
 * shows work in the background (coalesced reaction totals, the snapshot writer, sweeps), so up
 * to three tries are made and the first that `fits` is answered; a request that itself makes
 * other calls fails each try, and the last try is answered for the caller's assertion to show.
 */
export async function callsDuring(server: TestServer, fn: () => Promise<unknown>, fits: (calls: string[]) => boolean): Promise<string[]> {
  let calls: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    calls = [];
    server.db.conn.set('debug', (collection: string, method: string) => calls.push(`${collection}.${method}`));
    try {
      await fn();
    } finally {
      server.db.conn.set('debug', false);
    }
    if (fits(calls)) break;
  }
  return calls;
}
