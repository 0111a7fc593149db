// One import, start to end: read the file once into the index and a spool (source-pass.ts),
// place every post (post-index.ts), create the articles, write the comments in batches
// (write-pass.ts), then recount each article written to and tell its live readers to reload
// (one `article:reset` each, not one event per comment). Memory stays bounded by the index,
// whatever the size of the file. docs/IMPORT.md.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDuplicateKey } from '../../store/connection';
import { articleKey, type Models } from '../../store/models';
import type { Site } from '../../trust/sites';
import { badRequest } from '../errors';
import type { EventLog } from '../events';
import type { Fanout } from '../fanout';
import type { ThreadRecount } from '../lifecycle';
import { readCharcha } from './charcha';
import { readDisqus } from './disqus';
import type { ThreadTable } from './post-index';
import type { ImportFormat, MapMode, RecordReader } from './records';
import { sourcePass } from './source-pass';
import { emptySummary, type ImportProgress, type ImportSummary, type ThreadLine } from './summary';
import { readWordPress } from './wordpress';
import { writePass } from './write-pass';

const READERS: Record<ImportFormat, RecordReader> = { disqus: readDisqus, wordpress: readWordPress, charcha: readCharcha };

/** Recounted together (one read of their comments): at most this many comments... */
const RECOUNT_COMMENTS = 100_000;
/** ...and this many articles. */
const RECOUNT_ARTICLES = 5_000;

export interface ImportDeps {
  models: Models;
  events: EventLog;
  fanout: Fanout;
  recounts: ThreadRecount;
}

export interface ImportRequest {
  site: Site;
  format: ImportFormat;
  /** Path of the file to read. */
  file: string;
  map?: MapMode;
  dryRun?: boolean;
  /** Run published posts through the moderation pipeline. */
  moderate?: boolean;
}

export async function runImport(deps: ImportDeps, req: ImportRequest, onProgress: (p: ImportProgress) => void = () => {}): Promise<ImportSummary> {
  const started = Date.now();
  const map = req.map ?? 'identifier';
  if (req.format === 'charcha' && map !== 'identifier') throw badRequest('map: a Charcha export keeps its article ids; --map applies to disqus and wordpress');
  const { site } = req;
  const summary = emptySummary(site.id, req.format, map, !!req.dryRun, !!req.moderate);
  const size = (await stat(req.file)).size;
  const progress: ImportProgress = { phase: 'reading', bytesRead: 0, bytesTotal: size, posts: 0, written: 0, toWrite: 0, articlesCounted: 0, articlesTotal: 0 };
  let phaseStarted = started;
  let last = progress.phase;
  const tell = () => {
    if (progress.phase !== last) {
      const now = Date.now();
      summary.phases[last] = now - phaseStarted;
      phaseStarted = now;
      last = progress.phase;
    }
    onProgress(progress);
  };

  const dir = await mkdtemp(join(tmpdir(), 'charcha-import-'));
  try {
    const spoolPath = join(dir, 'posts.ndjson');
    const spool = createWriteStream(spoolPath, { encoding: 'utf8' });
    const file = createReadStream(req.file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
    const { index, threads } = await sourcePass({
      models: deps.models,
      site,
      map,
      moderate: !!req.moderate,
      read: READERS[req.format],
      input: withoutBom(file),
      spool,
      summary,
      onPost: () => {
        progress.posts++;
        progress.bytesRead = file.bytesRead;
        if (progress.posts % 500 === 0) tell();
      },
    }).finally(() => file.destroy());
    spool.end();
    await finished(spool);
    progress.bytesRead = size;
    progress.phase = 'placing';
    tell();

    index.resolve(site.maxDepth, (t) => threads.list[t]!.defined && threads.list[t]!.article !== null);
    for (let i = 0; i < index.size; i++) if (index.stored[i]) threads.list[index.thread[i]!]!.stored++;
    const articles = articlesOf(threads);
    progress.toWrite = [...articles.values()].reduce((s, a) => s + a.comments, 0);
    if (!req.dryRun) await ensureArticles(deps.models, site.id, articles);

    progress.phase = 'writing';
    tell();
    await writePass({
      models: deps.models,
      site,
      index,
      threads,
      spoolPath,
      dryRun: !!req.dryRun,
      summary,
      onWritten: (n) => {
        progress.written += n;
        tell();
      },
    });

    progress.phase = 'counting';
    progress.articlesTotal = articles.size;
    tell();
    if (!req.dryRun) {
      await recountAndReset(deps, site.id, articles, (n) => {
        progress.articlesCounted += n;
        tell();
      });
    }
    summary.threads = threadLines(threads);
    summary.threadsWithPosts = summary.threadsListed = summary.threads.length;
    summary.articles = articles.size;
    progress.phase = 'done';
    tell();
    summary.durationMs = Date.now() - started;
    return summary;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface ArticleTarget {
  comments: number;
  closed: boolean;
}

function articlesOf(threads: ThreadTable): Map<string, ArticleTarget> {
  const out = new Map<string, ArticleTarget>();
  for (const t of threads.list) {
    if (!t.article || t.stored === 0) continue;
    const a = out.get(t.article);
    if (a) a.comments += t.stored;
    else out.set(t.article, { comments: t.stored, closed: t.closed });
  }
  return out;
}

/** Articles that do not exist yet are created (locked when the source had closed them). */
async function ensureArticles(models: Models, site: string, articles: Map<string, ArticleTarget>): Promise<void> {
  const now = new Date();
  for (const [article, a] of articles) {
    await models.Article.updateOne(
      { _id: articleKey(site, article) },
      { $setOnInsert: { site, article, seq: 0, commentCount: 0, topLevelCount: 0, reactions: {}, locked: a.closed, premod: null, createdAt: now } },
      { upsert: true },
    ).catch((err) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }
}

/**
 * The lifecycle's recount of every article written to (counters exact whatever was there
 * before), read in groups; an article whose counters moved gets `article:reset`, so readers
 * reload it once instead of receiving one event per imported comment.
 */
async function recountAndReset(deps: ImportDeps, site: string, articles: Map<string, ArticleTarget>, counted: (n: number) => void): Promise<void> {
  let group: string[] = [];
  let size = 0;
  const run = async () => {
    const results = await deps.recounts.recountMany(site, group);
    for (const [article, r] of results) {
      if (r.fixed === 0) continue;
      const event = await deps.events.append(site, article, 'article:reset', { reason: 'import' });
      deps.fanout.toArticle(site, event);
    }
    counted(group.length);
    group = [];
    size = 0;
  };
  for (const [article, a] of articles) {
    if (group.length && (size + a.comments > RECOUNT_COMMENTS || group.length >= RECOUNT_ARTICLES)) await run();
    group.push(article);
    size += a.comments;
  }
  if (group.length) await run();
}

function threadLines(threads: ThreadTable): ThreadLine[] {
  return threads.list
    .filter((t) => t.posts > 0)
    .map((t) => ({
      thread: t.key,
      identifier: t.identifier,
      title: t.title,
      link: t.link,
      article: t.stored > 0 || t.article ? t.article : null,
      ...(t.defined ? (t.skip ? { skipped: t.skip } : {}) : { skipped: 'not in the file' }),
      posts: t.posts,
      comments: t.stored,
    }));
}

async function* withoutBom(input: AsyncIterable<string | Buffer>): AsyncGenerator<string> {
  let first = true;
  for await (const chunk of input) {
    const s = String(chunk);
    yield first ? s.replace(/^\uFEFF/, '') : s;
    first = false;
  }
}
