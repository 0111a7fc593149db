// The first pass over the file: each record read once, each body sanitized once (and, with
// `moderate`, judged by the moderation pipeline), the post's place noted in the index and
// the post itself written, normalized, to a spool file that the write pass reads back, so
// the file is parsed only once and the write pass needs no XML.
import { once } from 'node:events';
import type { WriteStream } from 'node:fs';
import { PHASES, runPipeline } from '../../trust/pipeline';
import { sanitizeBody } from '../../trust/sanitize';
import type { Site } from '../../trust/sites';
import { articleKey, type ArticleDoc, type Models } from '../../store/models';
import { commentIdFor } from './identity';
import { articleFor } from './mapping';
import { PostIndex, ST, ThreadTable, type StateCode } from './post-index';
import { SKIPS, type MapMode, type RecordReader, type SourceAuthor, type SourcePost, type SourceState, type SourceThread } from './records';
import { problem, skip, type ImportSummary } from './summary';

/** A post as the write pass reads it back from the spool. */
export interface SpoolLine {
  /** Slot in the index. */
  o: number;
  html: string;
  text: string;
  a: SourceAuthor;
  at: number;
  ed: number | null;
  r?: Record<string, number>;
  reasons?: string[];
}

const CODE: Record<SourceState, StateCode> = { published: ST.published, pending: ST.pending, rejected: ST.rejected, spam: ST.spam, deleted: ST.deleted };
const NO_ID = new Uint8Array(12);

export interface SourcePassInput {
  models: Models;
  site: Site;
  map: MapMode;
  moderate: boolean;
  read: RecordReader;
  input: AsyncIterable<string>;
  spool: WriteStream;
  summary: ImportSummary;
  onPost(): void;
}

export async function sourcePass(p: SourcePassInput): Promise<{ index: PostIndex; threads: ThreadTable }> {
  const index = new PostIndex();
  const threads = new ThreadTable();
  const judge = p.moderate ? moderation(p.models, p.site) : null;
  for await (const r of p.read(p.input, { site: p.site.id })) {
    if (r.kind === 'invalid') {
      skip(p.summary, 'not a comment of the format');
      problem(p.summary, r.detail);
      continue;
    }
    if (r.kind === 'thread') {
      defineThread(threads, r, p.map);
      continue;
    }
    p.summary.comments.read++;
    p.onPost();
    if (r.skip === SKIPS.noId) {
      skip(p.summary, r.skip);
      continue;
    }
    const t = threads.slot(r.thread);
    threads.list[t]!.posts++;
    const line = await normalize(r, judge, threads.list[t]!.article);
    const id = r.keepId ? Buffer.from(r.keepId, 'hex') : r.createdAt ? commentIdFor(p.site.id, r.key, r.createdAt) : NO_ID;
    const o = index.define(r.key, { thread: t, parent: r.parent, state: r.skip ? ST.skipped : line.state, name: r.author.name, id });
    if (o === null) {
      skip(p.summary, SKIPS.duplicate);
      continue;
    }
    if (r.skip) {
      skip(p.summary, r.skip);
      continue;
    }
    const out: SpoolLine = { o, html: line.html, text: line.text, a: r.author, at: r.createdAt!.getTime(), ed: r.editedAt?.getTime() ?? null };
    if (r.reactions && Object.keys(r.reactions).length) out.r = r.reactions;
    if (line.reasons.length) out.reasons = line.reasons;
    if (!p.spool.write(JSON.stringify(out) + '\n')) await once(p.spool, 'drain');
  }
  return { index, threads };
}

function defineThread(threads: ThreadTable, r: SourceThread, map: MapMode): void {
  const entry = threads.list[threads.slot(r.key)]!;
  if (entry.defined) return; // the first definition holds
  const mapped = r.skip ? { skip: r.skip } : articleFor(r, map);
  Object.assign(entry, {
    defined: true,
    title: r.title,
    link: r.link,
    identifier: r.identifier,
    closed: r.closed,
    article: 'article' in mapped ? mapped.article : null,
    skip: 'skip' in mapped ? mapped.skip : null,
  });
}

type Judge = (post: SourcePost, body: ReturnType<typeof sanitizeBody>, article: string | null) => Promise<{ state: StateCode; reasons: string[] }>;

/** The stored body and state: an empty body (after sanitizing) counts as deleted. */
async function normalize(r: SourcePost, judge: Judge | null, article: string | null): Promise<{ state: StateCode; html: string; text: string; reasons: string[] }> {
  if (r.skip || r.state === 'deleted') return { state: ST.deleted, html: '', text: '', reasons: [] };
  const body = sanitizeBody(r.body);
  if (!body.text) return { state: ST.deleted, html: '', text: '', reasons: [] };
  const judged = judge && r.state === 'published' ? await judge(r, body, article) : { state: CODE[r.state], reasons: [] };
  return { ...judged, html: body.html, text: body.text };
}

/** `moderate`: the pipeline's verdict on a published post, as if its author had posted it. */
function moderation(models: Models, site: Site): Judge {
  const articles = new Map<string, ArticleDoc | null>();
  const fallback = { _id: '', site: site.id, article: '', seq: 0, commentCount: 0, reactions: {}, locked: false, premod: null, createdAt: new Date(0) } as ArticleDoc;
  return async (post, body, article) => {
    let doc: ArticleDoc | null | undefined = article ? articles.get(article) : null;
    if (article && doc === undefined) {
      doc = await models.Article.findOne({ _id: articleKey(site.id, article) }).lean<ArticleDoc>();
      if (articles.size < 10_000) articles.set(article, doc);
    }
    const actor = { site, userId: post.author.id, name: post.author.name, role: 'commenter' as const, guest: !!post.author.guest, ip: '' };
    const outcome = await runPipeline(PHASES, { actor, article: doc ?? fallback, body, user: null, edit: false, recentSameText: async () => false });
    return { state: outcome.status === 'published' ? ST.published : outcome.status === 'pending' ? ST.pending : ST.rejected, reasons: outcome.reasons };
  };
}
