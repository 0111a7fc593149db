// The process: configuration → database → app → listen; graceful shutdown on SIGTERM/SIGINT.
import { resolve } from 'node:path';
import { createApp } from './app';
import { loadConfig } from './config';
import { launchDatabase } from './localdb/launcher';
import { seedDemo } from './demo-seed';
import { createLogger } from './log';
import { connectDatabase } from './store/connection';
import { DEMO_SECRET } from './trust/sites';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const local = await launchDatabase({
    uri: config.MONGODB_URI,
    dataDir: resolve(config.DATA_DIR, 'db'),
    log: (msg) => log.info(msg),
  });
  const db = await connectDatabase(local.uri);
  const app = await createApp(config, db, log);
  // Seeded before the port opens, so nobody loads the demo article (or sees /readyz 200)
  // before its sample comments exist.
  const demo = config.SITES_FILE ? undefined : app.services.sites.get('demo');
  if (demo) await seedDemo(demo, app.services.comments, log).catch((err) => log.warn({ err }, 'demo seed failed'));
  const addr = await app.listen(config.PORT, config.HOST);

  const shown = addr.address === '0.0.0.0' || addr.address === '::' ? 'localhost' : addr.address;
  const base = `http://${shown}:${addr.port}`;
  log.info({ port: addr.port, database: db.version, via: local.kind }, 'charcha listening');
  const lines = [
    `Charcha is running at ${base}`,
    `  demo article:  ${base}/demo/article`,
    `  moderation:    ${base}/moderate`,
    `  database:      ${db.version} (${local.kind}: ${local.detail})`,
  ];
  if (!config.SITES_FILE) {
    lines.push(`  demo site "demo", HS256 secret "${DEMO_SECRET}"`);
    lines.push('  WARNING: the demo site and its secret are for local use only; set SITES_FILE in production.');
  }
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const hard = setTimeout(() => process.exit(1), config.SHUTDOWN_GRACE_MS + 5000);
    hard.unref();
    try {
      await app.close();
      await db.close();
      await local.stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`charcha: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
