// A load process timing page reads one at a time: Charcha's HTTP listing and the driver's
// equivalent find on the same collection and index, interleaved so that both see the same
// machine. Reports the samples (ms) over IPC.
// Env: URL (Charcha's listing of the article, without query), CURSOR (Charcha's cursor for the
// deep page), MONGODB_URI, SITE, ARTICLE, DEEP_AFTER_ID (the comment the deep page follows),
// PAGE, SAMPLES, WARMUP.
import { MongoClient, ObjectId } from 'mongodb';
import { nowMs } from '../clock';

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};
const page = Number(env('PAGE'));
const samples = Number(env('SAMPLES'));
const warmup = Number(env('WARMUP'));
const firstUrl = `${env('URL')}?limit=${page}`;
const deepUrl = `${firstUrl}&cursor=${encodeURIComponent(env('CURSOR'))}`;

const client = await MongoClient.connect(env('MONGODB_URI'), { maxPoolSize: 1 });
const comments = client.db().collection('comments');
const filter = { site: env('SITE'), article: env('ARTICLE'), parentId: null, status: { $in: ['published', 'deleted'] } };
const deepAfter = new ObjectId(env('DEEP_AFTER_ID'));

async function timed(fn: () => Promise<number>): Promise<number> {
  const t0 = nowMs();
  const n = await fn();
  const ms = nowMs() - t0;
  if (n !== page) throw new Error(`expected ${page} comments, got ${n}`);
  return ms;
}

const overHttp = (url: string) => async () => {
  const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { comments: unknown[] }).comments.length;
};
// What the listing asks the database for: one more than the page, to know if more follow.
const withDriver = (extra: Record<string, unknown>) => async () =>
  (await comments.find({ ...filter, ...extra }).sort({ _id: -1 }).limit(page + 1).toArray()).length - 1;

/** The listing also counts the article's top-level comments for `total`: this, alone. */
const countOnly = async () => {
  await comments.countDocuments(filter);
  return page;
};

const runs = {
  httpFirst: overHttp(firstUrl),
  driverFirst: withDriver({}),
  httpDeep: overHttp(deepUrl),
  driverDeep: withDriver({ _id: { $lt: deepAfter } }),
  driverCount: countOnly,
};
const out: Record<keyof typeof runs, number[]> = { httpFirst: [], driverFirst: [], httpDeep: [], driverDeep: [], driverCount: [] };
for (let i = 0; i < warmup + samples; i++) {
  for (const [name, fn] of Object.entries(runs) as [keyof typeof runs, () => Promise<number>][]) {
    const ms = await timed(fn);
    if (i >= warmup) out[name].push(ms);
  }
}
await client.close();
process.send!(out);
process.disconnect();
