// Thread pages and article views for readers, answered from the read model (cache.ts). An
// anonymous reader gets bytes serialised once per page and seq and shared with every other;
// a signed-in reader gets the same page plus their own reactions, read with one lookup.
import type { ArticleView, Comment, CommentPage, SortOrder } from '../../../../client-sdk/src/protocol';
import { trusted, type Models } from '../../store/models';
import type { Site } from '../../trust/sites';
import type { Actor } from '../actor';
import type { EventLog } from '../events';
import type { Fanout } from '../fanout';
import { ThreadCache, type ThreadCacheOptions } from './cache';
import { decodeCursor } from './cursor';
import type { PageQuery, SharedAnswer, Thread } from './thread';

export interface ListInput {
  sort?: SortOrder;
  limit?: number;
  cursor?: string;
  parent?: string;
}

export type ThreadReadsOptions = ThreadCacheOptions;

/**
 * Where a read is answered from: the node's read model, the database directly (a thread built
 * for this read alone), or a thread built that way earlier (checks compare it with the model).
 */
export type ReadSource = 'model' | 'database' | Thread;

export const DEFAULT_THREAD_CACHE_BYTES = 64 * 1024 * 1024;

export class ThreadReads {
  readonly cache: ThreadCache;

  constructor(
    private readonly models: Models,
    events: EventLog,
    private readonly fanout: Pick<Fanout, 'viewers'>,
    opts: ThreadReadsOptions = { maxBytes: DEFAULT_THREAD_CACHE_BYTES },
  ) {
    this.cache = new ThreadCache(models, events, opts);
  }

  async getArticle(actor: Actor, article: string, source: ReadSource = 'model'): Promise<ArticleView> {
    const [thread, viewers] = await Promise.all([this.thread(actor.site.id, article, source, null), this.fanout.viewers(actor.site.id, article)]);
    const view = articleViewOf(thread, viewers, actor.site);
    if (actor.userId) view.myReactions = (await this.myReactions(actor, [`a:${article}`])).get(`a:${article}`) ?? [];
    return view;
  }

  async listComments(actor: Actor, article: string, input: ListInput, source: ReadSource = 'model'): Promise<CommentPage> {
    const q = pageQuery(input);
    const page = (await this.thread(actor.site.id, article, source, q)).page(q);
    if (!actor.userId) return page;
    const targets = page.comments.flatMap((c) => [c, ...(c.replies ?? [])]).map((c) => `c:${c.id}`);
    const mine = await this.myReactions(actor, targets);
    const own = (c: Comment): Comment => ({ ...c, myReactions: mine.get(`c:${c.id}`) ?? [] });
    return { ...page, comments: page.comments.map((c) => (c.replies ? { ...own(c), replies: c.replies.map(own) } : own(c))) };
  }

  /** The article view for anonymous readers, serialised once per seq and viewer count. */
  async sharedArticle(site: Pick<Site, 'id' | 'reactions'>, article: string): Promise<SharedAnswer> {
    const [thread, viewers] = await Promise.all([this.cache.answering(site.id, article, null), this.fanout.viewers(site.id, article)]);
    return thread.shared(`article\u0000${viewers}`, () => JSON.stringify(articleViewOf(thread, viewers, site)));
  }

  /** A comment page for anonymous readers, serialised once per page and seq. */
  async sharedPage(site: string, article: string, input: ListInput): Promise<SharedAnswer> {
    const q = pageQuery(input);
    const thread = await this.cache.answering(site, article, q);
    const key = `page\u0000${q.sort}\u0000${q.limit}\u0000${input.cursor ?? ''}\u0000${q.parent ?? ''}`;
    return thread.shared(key, () => JSON.stringify(thread.page(q)));
  }

  /** The article's thread built from the database now, bypassing the read model. */
  fromDatabase(site: string, article: string): Promise<Thread> {
    return this.cache.build(site, article);
  }

  /** The caller's reaction kinds on each target (`c:<id>`, `a:<article>`): one query. */
  async myReactions(actor: Actor, targets: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (!actor.userId || targets.length === 0) return out;
    const docs = await this.models.Reaction.find(
      { site: actor.site.id, userId: actor.userId, target: targets.length === 1 ? targets[0] : trusted({ $in: targets }) },
      { target: 1, kind: 1 },
    ).lean();
    for (const d of docs) out.set(d.target, [...(out.get(d.target) ?? []), d.kind]);
    for (const kinds of out.values()) kinds.sort();
    return out;
  }

  /** Drops the articles' threads and snapshots (their comments changed outside the events). */
  forget(site: string, articles: string[]): Promise<void> {
    return this.cache.forget(site, articles);
  }

  private thread(site: string, article: string, source: ReadSource, q: PageQuery | null): Promise<Thread> {
    if (source === 'model') return this.cache.answering(site, article, q);
    return source === 'database' ? this.cache.build(site, article) : Promise.resolve(source);
  }
}

function pageQuery(input: ListInput): PageQuery {
  const parent = input.parent ? input.parent.toLowerCase() : null;
  const sort = input.sort ?? (parent ? 'oldest' : 'newest');
  const limit = Math.min(Math.max(input.limit ?? 20, 1), 100);
  return { sort, limit, parent, cursor: input.cursor ? decodeCursor(input.cursor, sort) : null };
}

/** The article view a reader gets: the thread's, with the reaction kinds the site takes. */
function articleViewOf(thread: Thread, viewers: number, site: Pick<Site, 'reactions'>): ArticleView {
  return { ...thread.articleView(viewers), reactionKinds: site.reactions };
}
