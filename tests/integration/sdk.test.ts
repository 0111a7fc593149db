// @charcha/client against the real server: convergence through cuts and a restart, posts made
// while disconnected, resets, token refresh, typed errors, and the core in a bare vm context.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import vm from 'node:vm';
import * as esbuild from 'esbuild';
import { io as realIo, type Socket } from 'socket.io-client';
import {
  createClient,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
  type CharchaClient,
  type ClientOptions,
  type Thread,
  type ThreadComment,
} from '../../client-sdk/src/index';
import type { Comment, CommentPage } from '../../client-sdk/src/protocol';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Every visible comment of an article, read fresh over HTTP, replies included. */
async function serverComments(url: string, article: string): Promise<Comment[]> {
  const base = `${url}/api/v1/sites/demo/articles/${encodeURIComponent(article)}/comments`;
  const all: Comment[] = [];
  const list = async (query: string) => {
    const out: Comment[] = [];
    let cursor: string | null = null;
    do {
      const res: Response = await fetch(`${base}?${query}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(res.status, 200);
      const page = (await res.json()) as CommentPage;
      out.push(...page.comments);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  };
  const walk = async (cs: Comment[]) => {
    for (const c of cs) {
      all.push(c);
      if (c.replyCount > 0) await walk(await list(`parent=${c.id}&sort=oldest`));
    }
  };
  await walk(await list('sort=newest'));
  return all;
}

/** Comparable rows of a tree or a list: what a reader sees of each comment. */
function rows(list: (ThreadComment | Comment)[]): string[] {
  const out: string[] = [];
  const walk = (cs: (ThreadComment | Comment)[]) => {
    for (const c of cs) {
      if ('local' in c && c.local) continue;
      const reactions = Object.entries(c.reactions).filter(([, n]) => n > 0).sort();
      out.push(`${c.id}|${c.parentId}|${c.status}|${c.body}|${JSON.stringify(reactions)}`);
      if ('key' in c) walk(c.replies);
    }
  };
  walk(list);
  return out.sort();
}

function flatten(list: ThreadComment[]): ThreadComment[] {
  const out: ThreadComment[] = [];
  const walk = (cs: ThreadComment[]) => cs.forEach((c) => (out.push(c), walk(c.replies)));
  walk(list);
  return out;
}

/** Loads every page and reply, so the tree can be compared with the whole server. */
async function loadAll(t: Thread): Promise<void> {
  while (t.hasMore) await t.loadMore();
  for (let round = 0; round < 10; round++) {
    const more = flatten(t.comments).filter((c) => c.moreReplies > 0 && !c.local);
    if (!more.length) return;
    for (const c of more) while (await t.loadReplies(c.id));
  }
}

/** The article's seq as a fresh reader joining now sees it. */
async function serverSeq(url: string, article: string): Promise<number> {
  const s = realIo(url, { auth: { site: 'demo' }, transports: ['websocket'], forceNew: true, reconnection: false });
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
    const ack = (await s.timeout(5000).emitWithAck('article:join', { article })) as { seq: number };
    return ack.seq;
  } finally {
    s.disconnect();
  }
}

describe('sdk: @charcha/client against the real server', function () {
  this.timeout(180_000);
  let server: TestServer;
  let aliceToken: string;
  let bobToken: string;
  const clients: CharchaClient[] = [];
  const sockets: Socket[] = [];

  /** A client whose sockets the test can cut or hold offline. */
  const client = (o: Partial<ClientOptions> = {}) => {
    const c = createClient({
      url: server.url,
      site: 'demo',
      socketOptions: { transports: ['websocket'] },
      ackTimeoutMs: 4000,
      retry: { attempts: 8, baseDelayMs: 200, maxDelayMs: 2000 },
      io: (url, opts) => {
        const s = realIo(url, { ...opts, forceNew: true });
        sockets.push(s);
        return s;
      },
      ...o,
    });
    clients.push(c);
    return c;
  };

  before(async function () {
    this.timeout(900_000); // the first run may build the local database
    server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
    aliceToken = await signToken({ sub: 'sdk-alice', name: 'Alice' });
    bobToken = await signToken({ sub: 'sdk-bob', name: 'बॉब' });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    for (const s of sockets.splice(0)) s.disconnect();
  });
  after(async () => server?.close());

  it('two clients converge with the server through 100 interleaved operations, a cut and a restart', async () => {
    const article = 'sdk-converge';
    const ta = client({ token: aliceToken }).thread(article);
    const tb = client({ token: bobToken }).thread(article);
    await Promise.all([ta.ready, tb.ready]);
    const applied = { a: 0, b: 0 };
    const rejoins = { a: 0, b: 0 };
    ta.on('event', (e) => e.type !== 'presence' && applied.a++);
    tb.on('event', (e) => e.type !== 'presence' && applied.b++);
    ta.on('status', (s) => s === 'syncing' && rejoins.a++);
    tb.on('status', (s) => s === 'syncing' && rejoins.b++);

    let seed = 20240611;
    /** mulberry32: a small deterministic generator, the same sequence every run. */
    const rand = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) % n;
    };
    const pending: Promise<unknown>[] = [];
    const failures: Record<string, number> = {};
    const done = { post: 0, edit: 0, delete: 0, react: 0 };
    let last: Promise<unknown> = Promise.resolve();
    const track = (what: keyof typeof done, p: Promise<unknown>) => {
      last = p.then(
        () => done[what]++,
        (e: Error) => (failures[`${what}:${e.name}`] = (failures[`${what}:${e.name}`] ?? 0) + 1),
      );
      pending.push(last);
    };
    /** Comments with a delete on its way: not picked again. */
    const doomed = new Set<string>();
    let restart: Promise<void> | undefined;
    let restartMs = 0;
    let liveAgainMs = 0;
    let opsWhileDown = 0;
    const counts = { post: 0, edit: 0, delete: 0, react: 0 };
    for (let i = 0; i < 100; i++) {
      if (i === 40) for (const s of sockets) s.io.engine.close(); // the network drops
      if (i === 60) {
        // The server stops; operations go on; it starts again on the same port 2 s later.
        const t0 = Date.now();
        const { mongoUri, port } = server;
        restart = server
          .close()
          .then(() => sleep(2000))
          .then(() => startTestServer({ env: { RATE_LIMITS: 'off' }, mongoUri, port }))
          .then((s) => {
            server = s;
            restartMs = Date.now() - t0;
            const up = Date.now();
            void waitFor(() => [ta, tb].every((t) => t.status === 'live'), 'live after the restart').then(
              () => (liveAgainMs = Date.now() - up),
            );
          });
      }
      if (restart && !restartMs) opsWhileDown++;
      const [t, me] = rand(2) ? [ta, 'sdk-alice'] : [tb, 'sdk-bob'];
      const visible = flatten(t.comments).filter((c) => !c.local && c.status === 'published' && !doomed.has(c.id));
      const mine = visible.filter((c) => c.author.id === me);
      const op = rand(10);
      if (op < 4 || visible.length === 0) {
        const parent = visible.length && rand(2) ? visible[rand(visible.length)]!.id : null;
        counts.post++;
        track('post', t.post(`op ${i} ${'अ'.repeat(1 + rand(3))}`, { parentId: parent }));
      } else if (op < 6 && mine.length) {
        counts.edit++;
        track('edit', t.edit(mine[rand(mine.length)]!.id, `edited ${i}`));
      } else if (op < 7 && mine.length) {
        counts.delete++;
        const id = mine[rand(mine.length)]!.id;
        doomed.add(id);
        track('delete', t.delete(id));
      } else {
        counts.react++;
        const target = visible.length ? { comment: visible[rand(visible.length)]!.id } : { article };
        track('react', t.react(target, rand(2) ? 'like' : 'heart', rand(3) > 0));
      }
      // Half the operations are awaited, the others overlap with what follows; while the
      // server is down none is awaited (they wait for it), so the outage sees a stream of them.
      if (restart && !restartMs) await sleep(50 + rand(50));
      else if (rand(2)) await last;
      else await sleep(rand(30));
    }
    await restart;
    const settledAt = Date.now();
    await Promise.all(pending);
    let seq = 0;
    const inStep = async () => {
      seq = await serverSeq(server.url, article);
      return [ta, tb].every((t) => t.status === 'live' && t.lastSeq === seq);
    };
    await waitFor(inStep, 'both clients live at the server\'s seq');
    const convergeMs = Date.now() - settledAt;
    // Reaction events may be coalesced and sent later (a settle recount comes a second after a
    // burst): wait until both clients, in step, show what the server has.
    let truth: ReturnType<typeof rows> = [];
    await waitFor(async () => {
      await sleep(200);
      if (!(await inStep())) return false;
      await Promise.all([loadAll(ta), loadAll(tb)]);
      truth = rows(await serverComments(server.url, article));
      return isDeepStrictEqual(rows(ta.comments), truth) && isDeepStrictEqual(rows(tb.comments), truth);
    }, 'both clients to show what the server has, reactions included');
    assert.ok(truth.length >= 20, `enough comments to mean something (${truth.length})`);
    assert.deepEqual(rows(ta.comments), truth);
    assert.deepEqual(rows(tb.comments), truth);
    for (const t of [ta, tb]) {
      const unsent = flatten(t.comments).filter((c) => c.local && c.local.state !== 'failed');
      assert.equal(unsent.length, 0, 'no post left queued');
    }
    // A post may be refused only for answering a comment deleted meanwhile (bad_request):
    // never lost to the cut or the restart.
    const lost = Object.keys(failures).filter((k) => k.startsWith('post:') && k !== 'post:ValidationError');
    assert.deepEqual(lost, [], 'no post lost to the network');
    console.log(
      `      figures: ops issued ${JSON.stringify(counts)}, succeeded ${JSON.stringify(done)}, refused or failed ` +
        `${JSON.stringify(failures)}; ${opsWhileDown} operations issued while the server was down (down ` +
        `${restartMs} ms); both threads live again ${liveAgainMs} ms after it was back, both in step at seq ${seq} ` +
        `${convergeMs} ms after the last operation; events applied a=${applied.a} b=${applied.b}; rejoins ` +
        `a=${rejoins.a} b=${rejoins.b}; ${truth.length} comments identical on both clients and the server`,
    );
  });

  it('a first page fetched early is used instead of reading it again; a failed one is read again', async () => {
    const article = 'sdk-first-page';
    const author = client({ token: aliceToken });
    const t0 = author.thread(article);
    await t0.ready;
    await t0.post('पहले से पढ़ी गई टिप्पणी');
    const base = `${server.url}/api/v1/sites/demo/articles/${article}`;
    const early = Promise.all([fetch(base).then((r) => r.json()), fetch(`${base}/comments?sort=newest&limit=20`).then((r) => r.json())]).then(([a, page]) => ({ article: a, page }));
    const reads: string[] = [];
    const counting = (url: string | URL | Request, init?: RequestInit) => {
      if (String(url).includes(`/articles/${article}`)) reads.push(String(url));
      return fetch(url, init);
    };
    const reader = client({ fetch: counting as typeof fetch });
    const used = reader.thread(article, { firstPage: early });
    await used.ready;
    assert.deepEqual(used.comments.map((c) => c.body), ['पहले से पढ़ी गई टिप्पणी']);
    assert.deepEqual(reads, [], 'nothing read again');

    const failed = client({ fetch: counting as typeof fetch }).thread(article, { firstPage: Promise.reject(new Error('offline')) });
    await failed.ready;
    assert.equal(failed.comments.length, 1);
    assert.equal(reads.length, 2, 'the article and its first page read by the thread');
  });

  it('a post made while disconnected is sent once the connection is back, and appears once', async () => {
    const article = 'sdk-offline-post';
    const t = client({ token: aliceToken }).thread(article);
    await t.ready;
    const socket = sockets[sockets.length - 1]!;
    socket.disconnect(); // offline, and staying so
    await waitFor(() => t.status === 'offline', 'offline');
    let mostCopies = 0;
    t.on('change', () => {
      mostCopies = Math.max(mostCopies, t.comments.filter((c) => c.body.includes('लिखा ऑफ़लाइन')).length);
    });
    const p = t.post('लिखा ऑफ़लाइन');
    await sleep(300);
    assert.equal(t.comments[0]!.local?.state, 'queued');
    assert.equal((await serverComments(server.url, article)).length, 0);
    socket.connect();
    const stored = await p;
    await waitFor(() => t.status === 'live', 'live');
    await sleep(200);
    const onServer = await serverComments(server.url, article);
    assert.equal(onServer.length, 1);
    assert.equal(onServer[0]!.id, stored.id);
    assert.deepEqual(t.comments.map((c) => c.id), [stored.id]);
    assert.equal(mostCopies, 1, 'the author never saw it twice, even for a moment');
  });

  it('a post cut off before or after the server got it is retried with its clientId: one comment', async () => {
    for (const delay of [0, 2, 5, 10, 20, 40]) {
      const article = `sdk-lost-ack-${delay}`;
      const t = client({ token: bobToken }).thread(article);
      await t.ready;
      const socket = sockets[sockets.length - 1]!;
      const p = t.post(`once only (${delay} ms)`);
      setTimeout(() => socket.io.engine.close(), delay); // before the send, or between it and the ack
      const stored = await p;
      await waitFor(() => t.status === 'live', 'live');
      await sleep(200);
      const onServer = await serverComments(server.url, article);
      assert.deepEqual(onServer.map((c) => c.id), [stored.id], `cut after ${delay} ms`);
      assert.deepEqual(t.comments.map((c) => c.id), [stored.id], `cut after ${delay} ms`);
    }
  });

  it('after a cut the client applies exactly what it missed; after the history is gone it reloads what it had', async () => {
    const article = 'sdk-resume';
    const writer = client({ token: bobToken }).thread(article);
    await writer.ready;
    for (let i = 0; i < 12; i++) await writer.post(`seed ${i}`);
    const reader = client().thread(article, { pageSize: 5 });
    await reader.ready;
    await reader.loadMore();
    assert.equal(reader.comments.length, 10);
    const readerSocket = sockets[sockets.length - 1]!;

    // 1. A short outage: missed events replayed.
    readerSocket.disconnect();
    await waitFor(() => reader.status === 'offline', 'offline');
    const fresh = await writer.post('while the reader was away');
    await writer.edit(reader.comments[0]!.id, 'edited while away');
    await writer.delete(reader.comments[1]!.id);
    const pagesBefore = reader.comments.length;
    readerSocket.connect();
    await waitFor(async () => reader.status === 'live' && reader.lastSeq === (await serverSeq(server.url, article)), 'resumed');
    assert.equal(reader.comments[0]!.id, fresh.id);
    assert.equal(reader.comments.length, pagesBefore, 'one new, one deleted');
    const truth = await serverComments(server.url, article);
    const newest = truth.filter((c) => c.parentId === null).slice(0, reader.comments.length);
    assert.deepEqual(rows(reader.comments), rows(newest));

    // 2. A long outage: the event history is swept, the rejoin answers `reset`.
    readerSocket.disconnect();
    await waitFor(() => reader.status === 'offline', 'offline again');
    await writer.post('after the history was lost');
    await writer.delete(reader.comments[3]!.id);
    await server.app.services.events.sweep(Date.now() + 1000 * 3600 * 1000);
    const loaded = reader.comments.length;
    readerSocket.connect();
    await waitFor(async () => reader.status === 'live' && reader.lastSeq === (await serverSeq(server.url, article)), 'reset and reloaded');
    const after = await serverComments(server.url, article);
    const top = after.filter((c) => c.parentId === null);
    assert.ok(reader.comments.length >= loaded, `kept what was loaded (${reader.comments.length} >= ${loaded})`);
    assert.deepEqual(rows(reader.comments), rows(top.slice(0, reader.comments.length)));
    assert.equal(reader.comments[0]!.body, 'after the history was lost');
  });

  it('expired tokens: replaced at the handshake, over HTTP, and handed to the open socket with auth:refresh', async () => {
    // Handshake: the first token is already expired.
    let calls = 0;
    const c1 = client({
      token: async () => (++calls === 1 ? signToken({ sub: 'sdk-carol', name: 'Carol', expSec: -30 }) : signToken({ sub: 'sdk-carol', name: 'Carol' })),
    });
    const t1 = c1.thread('sdk-tokens');
    await t1.ready;
    assert.ok(calls >= 2, `token function called again (${calls})`);
    const posted = await t1.post('signed in after a refresh');
    assert.equal(posted.author.id, 'sdk-carol');

    // HTTP: a 401 for an expired token refreshes it and retries once.
    let httpCalls = 0;
    const c2 = client({
      token: async () => (++httpCalls === 1 ? signToken({ sub: 'sdk-dan', name: 'Dan', expSec: -30 }) : signToken({ sub: 'sdk-dan', name: 'Dan' })),
    });
    const view = await c2.api.article('sdk-tokens');
    assert.equal(view.article, 'sdk-tokens');
    assert.equal(httpCalls, 2);

    // Socket: a token about to expire is refreshed a minute early, over the open socket.
    let socketCalls = 0;
    const statuses: string[] = [];
    const c3 = client({
      token: async () => signToken({ sub: 'sdk-erin', name: ++socketCalls === 1 ? 'Erin v1' : 'Erin v2', expSec: 62 }),
    });
    c3.on('status', (s) => statuses.push(s));
    const t3 = c3.thread('sdk-tokens');
    await t3.ready;
    await waitFor(() => socketCalls >= 2, 'the early refresh', 10_000);
    await sleep(300);
    const again = await t3.post('after auth:refresh');
    assert.equal(again.author.name, 'Erin v2', 'the server took the new token without a reconnect');
    assert.equal(statuses.filter((s) => s === 'connected').length, 1, `one connection only (${statuses.join(',')})`);
  });

  it('expiring tokens on open sockets: with a fixed token the client reads on without it; the moderation feed comes back with a new one', async () => {
    const strict = await startTestServer({ env: { RATE_LIMITS: 'off', SESSION_GRACE_MS: '200' } });
    try {
      const c = client({ url: strict.url, token: await signToken({ sub: 'sdk-fay', name: 'Fay', expSec: 3 }) });
      const statuses: string[] = [];
      const errors: string[] = [];
      c.on('status', (st) => statuses.push(st));
      c.on('error', (e) => errors.push(e.code));
      const t = c.thread('sdk-expiry');
      await t.ready;
      // exp, then the grace, then the server's cut; the client comes back as a reader.
      await waitFor(() => statuses.filter((st) => st === 'connected').length >= 2, 'a reconnection after the cut', 15_000);
      assert.ok(statuses.includes('disconnected'), statuses.join(','));
      assert.deepEqual(errors, ['unauthorized'], 'the refused token is reported once');
      const writer = await signToken({ sub: 'sdk-gil', name: 'Gil' });
      const r = await fetch(`${strict.url}/api/v1/sites/demo/articles/sdk-expiry/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${writer}` },
        body: JSON.stringify({ body: 'seen live after the cut', clientId: 'w1' }),
      });
      assert.equal(r.status, 201);
      await waitFor(() => t.comments.some((x) => x.body === 'seen live after the cut'), 'the live comment');
      assert.equal(c.status, 'connected');

      // The moderators' feed, given a token function, comes back with a new token.
      let calls = 0;
      const m = client({ url: strict.url, token: async () => signToken({ sub: 'sdk-mod', name: `Mod ${++calls}`, role: 'moderator', expSec: calls === 1 ? 3 : 3600 }) });
      const feed = m.moderation();
      let connects = 0;
      feed.on('connect', () => connects++);
      await waitFor(() => connects >= 2, 'the feed back after the cut', 15_000);
      assert.ok(calls >= 2, `token function called again (${calls})`);
      assert.ok(feed.connected);
    } finally {
      for (const x of clients.splice(0)) x.close();
      await strict.close();
    }
  });

  it('typed errors from the server', async () => {
    const c = client({ token: aliceToken });
    const t = c.thread('sdk-errors');
    await t.ready;
    const mine = await t.post('mine');
    const other = await client({ token: bobToken }).api.postComment('sdk-errors', { body: 'not yours', clientId: 'sdk-err-1' });
    await waitFor(() => !!t.find(other.id), 'the other comment arrives');
    await assert.rejects(t.edit(other.id, 'hijack'), ForbiddenError);
    await assert.rejects(c.api.editComment('0123456789abcdef01234567', 'x'), NotFoundError);
    await assert.rejects(t.post('<b></b>'), ValidationError);
    assert.equal(t.comments.find((x) => x.local)?.local?.state, 'failed');
    assert.ok(t.find(mine.id));

    const limited = await startTestServer({ env: { RATE_LIMITS: 'on' } });
    try {
      const api = createClient({ url: limited.url, site: 'demo', token: aliceToken, io: realIo }).api;
      let err: unknown;
      for (let i = 0; i < 10 && !err; i++) {
        await api.postComment('sdk-limits', { body: `burst ${i}`, clientId: `burst-${i}` }).catch((e: unknown) => (err = e));
      }
      assert.ok(err instanceof RateLimitedError, `got ${String(err)}`);
      assert.equal(err.status, 429);
      assert.ok(err.retryAfter > 0 && err.retryAfter <= 3600, `retryAfter ${err.retryAfter}`);
    } finally {
      await limited.close();
    }
  });

  it('a thread opened while another client posts joins from its page\'s seq: every comment once, the count exact', async () => {
    const article = 'sdk-join-seq';
    const w = client({ token: bobToken }).thread(article);
    await w.ready;
    const posting = (async () => {
      for (let i = 0; i < 30; i++) await w.post(`बॉब ${i}`);
    })();
    await sleep(150);
    const t = client().thread(article, { pageSize: 100 });
    await t.ready;
    await posting;
    await waitFor(async () => t.lastSeq === (await serverSeq(server.url, article)), 'the reader at the last seq');
    const ids = flatten(t.comments).map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, 'no comment twice');
    assert.deepEqual(rows(t.comments), rows(await serverComments(server.url, article)));
    assert.equal(t.commentCount, 30, 'the count moved with the replay, once per comment');
  });

  it('the core bundle runs in a bare vm context (no window, document, process, require) against the server', async () => {
    const built = await esbuild.build({
      entryPoints: [join(root, 'client-sdk', 'src', 'core.ts')],
      bundle: true,
      platform: 'neutral',
      target: 'es2020',
      format: 'iife',
      globalName: 'Charcha',
      minify: true,
      write: false,
      logLevel: 'silent',
    });
    const ctx = vm.createContext({ fetch, setTimeout, clearTimeout });
    vm.runInContext(built.outputFiles[0]!.text, ctx);
    assert.deepEqual(
      [...(vm.runInContext('[typeof window, typeof document, typeof process, typeof require]', ctx) as string[])],
      ['undefined', 'undefined', 'undefined', 'undefined'],
    );
    Object.assign(ctx, {
      io: (url: string, opts: object) => realIo(url, { ...opts, transports: ['websocket'], forceNew: true }),
      url: server.url,
      token: aliceToken,
    });
    const out = JSON.parse(
      (await vm.runInContext(
        `(async () => {
          const client = Charcha.createClient({ url, site: 'demo', token, io });
          const thread = client.thread('sdk-vm');
          await thread.ready;
          const c = await thread.post('नमस्ते from a bare context');
          await thread.react(c.id, 'like', true);
          const r = { id: c.id, status: thread.status, likes: thread.find(c.id).reactions.like };
          client.close();
          return JSON.stringify(r);
        })()`,
        ctx,
      )) as string,
    ) as { id: string; status: string; likes: number };
    assert.equal(out.status, 'live');
    assert.equal(out.likes, 1);
    // Reaction totals reach pages with their (coalesced) reaction:updated event.
    let onServer = await serverComments(server.url, 'sdk-vm');
    for (let i = 0; i < 50 && onServer[0]?.reactions.like !== 1; i++) {
      await new Promise((r) => setTimeout(r, 100));
      onServer = await serverComments(server.url, 'sdk-vm');
    }
    assert.deepEqual(onServer.map((c) => [c.id, c.body, c.reactions.like]), [[out.id, 'नमस्ते from a bare context', 1]]);
  });
});
