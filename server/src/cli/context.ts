// What the commands share with the server: the same configuration (MONGODB_URI, SITES_FILE,
// DATA_DIR, REDIS_URL...), the same database (without MONGODB_URI, the local one `npm start`
// uses, reused when it is running), and the same services, built by createApp without
// listening: so an import's events reach readers on every node where REDIS_URL is set.
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createApp, type App } from '../app';
import { loadConfig } from '../config';
import { launchDatabase } from '../localdb/launcher';
import { createLogger } from '../log';
import { connectDatabase } from '../store/connection';
import type { Site } from '../trust/sites';

export interface Charcha {
  app: App;
  site(id: string): Site;
  close(): Promise<void>;
}

export async function openCharcha(): Promise<Charcha> {
  const config = loadConfig();
  // stdout is the command's output: logs go to stderr, and only warnings by default.
  const log = createLogger(process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn', process.stderr);
  const local = await launchDatabase({
    uri: config.MONGODB_URI,
    dataDir: resolve(config.DATA_DIR, 'db'),
    log: (msg) => process.stderr.write(`[db] ${msg}\n`),
  });
  const db = await connectDatabase(local.uri);
  const app = await createApp(config, db, log);
  return {
    app,
    site(id) {
      const site = app.services.sites.get(id);
      if (!site) throw new UsageError(`no site "${id}" (sites: ${app.services.sites.all().map((s) => s.id).join(', ')}; SITES_FILE ${config.SITES_FILE ?? 'unset: only the demo site'})`);
      return site;
    },
    async close() {
      await app.close();
      await db.close();
      await local.stop();
    },
  };
}

export class UsageError extends Error {}

/** Parses the command line; a mistake is a UsageError naming it. */
export function args<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Runs a command: a usage mistake exits 2 with the usage, any other failure 1. */
export function run(usage: string, main: () => Promise<void>): void {
  main().then(
    // Pipes are written asynchronously: let stdout empty before leaving.
    () => process.stdout.write('', () => process.exit(0)),
    (err: unknown) => {
      const usageError = err instanceof UsageError;
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${usageError ? `${usage}\n` : ''}`);
      process.exit(usageError ? 2 : 1);
    },
  );
}
