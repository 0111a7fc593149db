// The mongoose connection: the only place that opens one. Detects FerretDB, whose updates
// are read-modify-write, and gives it a single pooled connection so this process's writes
// to one document never interleave.
import mongoose, { type Connection } from 'mongoose';

export interface Database {
  conn: Connection;
  ferret: boolean;
  /** Server version string, for the start banner. */
  version: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

// A filter naming a field the schema does not know is an error, not silently dropped (a typo
// in a deleteMany would otherwise widen it to the whole collection).
mongoose.set('strictQuery', 'throw');
mongoose.set('sanitizeFilter', true);

export async function connectDatabase(uri: string, opts: { poolSize?: number } = {}): Promise<Database> {
  const probe = await mongoose
    .createConnection(uri, { maxPoolSize: 1, serverSelectionTimeoutMS: 10_000 })
    .asPromise();
  const info = await probe.db!.admin().command({ buildInfo: 1 });
  await probe.close();
  const ferret = typeof info.ferretdbVersion === 'string';
  const conn = await mongoose
    .createConnection(uri, {
      maxPoolSize: ferret ? 1 : (opts.poolSize ?? 20),
      serverSelectionTimeoutMS: 10_000,
      autoIndex: false,
      autoCreate: true,
    })
    .asPromise();
  return {
    conn,
    ferret,
    // An embedded FerretDB build reports its version as "unknown".
    version: ferret ? (info.ferretdbVersion === 'unknown' ? 'FerretDB' : `FerretDB ${info.ferretdbVersion}`) : `MongoDB ${info.version}`,
    async ping() {
      await conn.db!.admin().command({ ping: 1 });
    },
    async close() {
      await conn.close();
    },
  };
}

export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: number }).code === 11000;
}
