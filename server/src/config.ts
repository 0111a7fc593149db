// Every environment variable Charcha reads, parsed and validated once, at start.
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

const EnvSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  MONGODB_URI: z.string().url().optional(),
  REDIS_URL: z.string().url().optional(),
  SITES_FILE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `off` turns every rate limit off (for load tests and test suites that post in bulk). */
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  /** Prefix of the rate-limit keys in Redis (several deployments may share one Redis). */
  RATE_LIMIT_PREFIX: z.string().min(1).max(100).default('charcha:rl'),
  /** Prefix of the keys nodes share in Redis: readers per article, node heartbeats, statistics. */
  CLUSTER_PREFIX: z.string().min(1).max(100).default('charcha'),
  /** How many proxies in front of Charcha to trust for X-Forwarded-For; 0 trusts none. */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /** Where the local database keeps its files when MONGODB_URI is unset. */
  DATA_DIR: z.string().min(1).default('.data'),
  /** Storage of the local FerretDB: `auto` (PostgreSQL when installed, else SQLite), `sqlite`, `postgresql`. */
  LOCAL_DB_ENGINE: z.enum(['auto', 'sqlite', 'postgresql']).default('auto'),
  /** A PostgreSQL server for the local FerretDB, instead of a private cluster under DATA_DIR. */
  LOCAL_POSTGRES_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres:// URL')
    .optional(),
  /** Days a reader's notifications are kept. */
  NOTIFICATION_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(30),
  /** Hours of event history kept for `article:join {since}` replay. */
  EVENT_RETENTION_HOURS: z.coerce.number().positive().default(48),
  /** Memory for the threads each node keeps for readers (the read model), in MB. */
  THREAD_CACHE_MB: z.coerce.number().positive().default(64),
  /** Least milliseconds between two writes of one article's thread snapshot (its first pages in the database). */
  THREAD_SNAPSHOT_MS: z.coerce.number().int().min(10).max(3_600_000).default(1000),
  /** Largest Socket.IO message accepted, in bytes. */
  SOCKET_MAX_BYTES: z.coerce.number().int().min(1024).default(64 * 1024),
  /** Largest HTTP JSON body accepted, in bytes. */
  HTTP_MAX_BYTES: z.coerce.number().int().min(1024).default(64 * 1024),
  /** Largest import file accepted by POST /admin/imports, in bytes (spooled to disk, not memory). */
  IMPORT_MAX_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024 * 1024),
  /** Milliseconds a socket may stay open after its token's `exp` without `auth:refresh`. */
  SESSION_GRACE_MS: z.coerce.number().int().min(0).max(24 * 3600 * 1000).default(60_000),
  /** Article rooms one socket may be in at once; joining one more leaves the oldest. */
  ARTICLES_PER_SOCKET: z.coerce.number().int().min(1).max(1000).default(10),
  /** Webhooks: delay before each attempt in ms, comma separated (the first after the event); past the last, the webhook is disabled. */
  WEBHOOK_RETRY_MS: z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'milliseconds, comma separated, e.g. 0,5000,300000')
    .default('0,5000,300000,1800000,7200000,18000000,36000000,36000000')
    .transform((s) => s.split(',').map((n) => Number(n.trim()))),
  /** Webhooks: how long one request to a receiver may take, in ms. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Milliseconds given to in-flight work on SIGTERM before the process exits anyway. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  /** `off`: no engagement statistics (nothing counted, /admin/stats answers 503). */
  STATS: z.enum(['on', 'off']).default('on'),
  /** Milliseconds between two flushes of a node's counts to the `stats` buckets. */
  STATS_FLUSH_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /** Days the statistics keep minutes; older hours keep only their totals. */
  STATS_MINUTE_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
});

export type Config = z.infer<typeof EnvSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return parse(EnvSchema, env);
}

const LocalDatabaseSchema = EnvSchema.pick({ LOCAL_DB_ENGINE: true, LOCAL_POSTGRES_URL: true });
export type LocalDatabaseConfig = z.infer<typeof LocalDatabaseSchema>;

/** Only the local database's settings: for the launcher's other callers (`npm run db`, tests, bench). */
export function loadLocalDatabaseConfig(env: NodeJS.ProcessEnv = process.env): LocalDatabaseConfig {
  return parse(LocalDatabaseSchema, env);
}

function parse<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
