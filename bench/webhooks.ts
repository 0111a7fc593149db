// `npx tsx bench/webhooks.ts`: how long a webhook takes from a post to the receiver, and how a
// receiver outage drains. One Charcha process (its own database through the launcher), one
// receiver in this process that verifies every signature; figures go to stdout as JSON and are
// kept in docs/WEBHOOKS.md.
//   WEBHOOK_BENCH_POSTS   posts in the delay run (default 200), sent one after another over 10 articles
//   WEBHOOK_BENCH_OUTAGE  posts made while the receiver is down (default 100)
//   WEBHOOK_BENCH_SCALE   the default retry schedule and a one-hour outage are divided by this (default 100)
// Baselines in the same run: a bare signed POST from this process to the receiver, and posts to
// a site without webhooks, interleaved with the measured ones (what storing deliveries costs).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchDatabase } from '../server/src/localdb/launcher';
import { loadConfig } from '../server/src/config';
import { signedHeaders } from '../server/src/domain/webhooks';
import { parseSites } from '../server/src/trust/sites';
import { newSecret, startReceiver } from '../tests/helpers/webhook-receiver';
import { signToken } from '../tests/helpers/tokens';
import { sleep } from './clock';
import { describeMachine } from './machine';
import { freePort, spawnNode, waitForHttp } from './processes';
import { round, summarize } from './stats';

const POSTS = Number(process.env.WEBHOOK_BENCH_POSTS ?? 200);
const OUTAGE_POSTS = Number(process.env.WEBHOOK_BENCH_OUTAGE ?? 100);
const SCALE = Number(process.env.WEBHOOK_BENCH_SCALE ?? 100);
const SITE_SECRET = 'webhook-bench-site-secret-of-32-bytes-or-more';
const PLAIN_SECRET = 'webhook-bench-plain-site-secret-of-32-bytes';
const HOUR_MS = 3600_000;

const say = (m: string) => process.stderr.write(`webhooks bench: ${m}\n`);
const work = mkdtempSync(join(tmpdir(), 'charcha-webhook-bench-'));
const secret = newSecret();
const receiver = await startReceiver({ '/in': secret });
const defaults = loadConfig({}).WEBHOOK_RETRY_MS;
const scaled = defaults.map((ms) => Math.round(ms / SCALE));

const sites = [
  { id: 'bench', secret: SITE_SECRET, webhooks: [{ id: 'recv', url: receiver.url('/in'), secret, events: ['comment.published'], allowPrivateTargets: true }] },
  { id: 'plain', secret: PLAIN_SECRET },
];
const sitesFile = join(work, 'sites.json');
writeFileSync(sitesFile, JSON.stringify(sites));
const db = await launchDatabase({ dataDir: join(work, 'db'), log: say });
const port = await freePort();
const server = spawnNode('charcha', 'server/src/main.ts', {
  env: { PORT: String(port), HOST: '127.0.0.1', MONGODB_URI: db.uri, SITES_FILE: sitesFile, LOG_LEVEL: 'warn', RATE_LIMITS: 'off', WEBHOOK_RETRY_MS: scaled.join(','), DATA_DIR: work },
});
const url = `http://127.0.0.1:${port}`;
const token = await signToken({ sub: 'writer', name: 'लेखक' }, SITE_SECRET);
const plainToken = await signToken({ sub: 'writer', name: 'लेखक' }, PLAIN_SECRET);

async function post(article: string, clientId: string, siteId = 'bench'): Promise<{ id: string; sent: number; answered: number }> {
  const sent = performance.timeOrigin + performance.now();
  const res = await fetch(`${url}/api/v1/sites/${siteId}/articles/${article}/comments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${siteId === 'bench' ? token : plainToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ body: `बेंचमार्क टिप्पणी ${clientId}`, clientId }),
  });
  const body = (await res.json()) as { id: string };
  if (res.status !== 201) throw new Error(`post: ${res.status} ${JSON.stringify(body)}`);
  return { id: body.id, sent, answered: performance.timeOrigin + performance.now() };
}

const arrivalOf = (id: string) => receiver.accepted.find((m) => m.payload.data.comment.id === id)?.at;
async function until(cond: () => boolean, what: string, timeoutMs = 300_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(5);
  }
}

try {
  await waitForHttp(`${url}/readyz`, server);
  const [hook] = parseSites(sites)[0]!.webhooks;
  // Baseline: a bare signed POST from here to the receiver.
  const bare: number[] = [];
  for (let i = 0; i < POSTS; i++) {
    const body = JSON.stringify({ type: 'comment.published', timestamp: new Date().toISOString(), data: { comment: { id: `bare${i}` } } });
    const t0 = performance.now();
    await fetch(receiver.url('/in'), { method: 'POST', headers: { 'content-type': 'application/json', ...signedHeaders(hook!, `msg_bare${i}`, body) }, body });
    bare.push(performance.now() - t0);
  }
  receiver.accepted.length = 0;

  say(`delay: ${POSTS} posts, one after another`);
  for (let i = 0; i < 20; i++) await post(`warm-${i % 5}`, `warm${i}`);
  await until(() => receiver.accepted.length >= 20, 'warm-up delivered');
  receiver.accepted.length = 0;
  const posts: { id: string; sent: number; answered: number }[] = [];
  const plain: number[] = [];
  for (let i = 0; i < POSTS; i++) {
    posts.push(await post(`art-${i % 10}`, `d${i}`));
    const p = await post(`art-${i % 10}`, `d${i}`, 'plain');
    plain.push(p.answered - p.sent);
  }
  await until(() => posts.every((p) => arrivalOf(p.id) !== undefined), 'all delivered');
  const postMs = posts.map((p) => p.answered - p.sent);
  const postToReceiver = posts.map((p) => arrivalOf(p.id)! - p.sent);
  const answerToReceiver = posts.map((p) => arrivalOf(p.id)! - p.answered);

  const outageMs = Math.round(HOUR_MS / SCALE);
  say(`outage: receiver down ${outageMs} ms (one hour / ${SCALE}), ${OUTAGE_POSTS} posts over 5 articles meanwhile`);
  receiver.accepted.length = 0;
  await receiver.stop();
  const downAt = Date.now();
  // Five writers, one article each, spread over the first half of the outage.
  const during: string[] = [];
  await Promise.all(
    [0, 1, 2, 3, 4].map(async (w) => {
      for (let i = w; i < OUTAGE_POSTS; i += 5) {
        during.push((await post(`out-${w}`, `o${i}`)).id);
        await sleep(outageMs / 2 / (OUTAGE_POSTS / 5));
      }
    }),
  );
  await sleep(Math.max(0, outageMs - (Date.now() - downAt)));
  await receiver.start();
  const upAt = Date.now();
  await until(() => during.every((id) => arrivalOf(id) !== undefined), 'outage drained');
  const drainedAt = Date.now();
  const ids = receiver.accepted.map((m) => m.id);

  const s = (xs: number[]) => {
    const r = summarize(xs);
    return { p50: round(r.p50, 1), p99: round(r.p99, 1), max: round(r.max, 1) };
  };
  const result = {
    at: new Date().toISOString(),
    machine: describeMachine(),
    database: db.detail,
    delay: { posts: POSTS, postMs: s(postMs), baselinePostWithoutWebhooksMs: s(plain), postToReceiverMs: s(postToReceiver), answerToReceiverMs: s(answerToReceiver), baselineBarePostMs: s(bare) },
    outage: {
      scale: SCALE,
      retryMs: scaled,
      downMs: upAt - downAt,
      downScaledBackHours: round(((upAt - downAt) * SCALE) / HOUR_MS, 2),
      posts: OUTAGE_POSTS,
      drainMs: drainedAt - upAt,
      firstArrivalAfterUpMs: Math.min(...receiver.accepted.map((m) => m.at)) - upAt,
      flowMs: Math.max(...receiver.accepted.map((m) => m.at)) - Math.min(...receiver.accepted.map((m) => m.at)),
      drainScaledBackHours: round(((drainedAt - upAt) * SCALE) / HOUR_MS, 2),
      delivered: new Set(ids).size,
      duplicates: ids.length - new Set(ids).size,
      badSignatures: receiver.badSignatures.length,
    },
  };
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
} finally {
  await server.stop();
  await receiver.stop();
  await db.stop();
  rmSync(work, { recursive: true, force: true });
}
