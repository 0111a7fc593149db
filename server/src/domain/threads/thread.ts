// One article's thread as readers see it, in memory: every visible comment (published, and
// tombstones), the article's reader-visible fields, and the seq they reflect. It changes only
// by applying the article's events in seq order, so it never says what the stream did not.
// Counts are derived from the set itself (replies, score, totals, commentCount), so they
// cannot drift from what the pages show.
import { createHash } from 'node:crypto';
import type {
  ArticleEvent,
  ArticleView,
  Comment,
  CommentPage,
  PremodMode,
  ReactionTotals,
  SortOrder,
} from '../../../../client-sdk/src/protocol';
import { encodeCursor, type Cursor } from './cursor';

/** Replies shipped with each top-level comment of a page. */
export const FIRST_REPLIES = 3;
/** Serialised answers kept per thread and seq (a crowd asks for few distinct pages). */
const MAX_ANSWERS = 256;
/** Events kept that arrived ahead of the next seq, waiting for the ones before them. */
const MAX_AHEAD = 1000;
/** Rough fixed cost of one comment in memory, beyond its strings (objects, maps, arrays). */
const COMMENT_OVERHEAD = 600;
/** Key of the top-level comments in the children index. */
const TOP = '';

/** The rank of a top-level comment in `top` order: score, then id (both descending). */
export interface TopRank {
  score: number;
  id: string;
}

/**
 * What a thread that holds only its first pages (loaded from a snapshot, snapshot.ts) knows
 * beyond the comments it holds. Every visible top-level comment it does not hold is older than
 * `newestFrom`, younger than `oldestTo`, and ranks below `topFrom` (null: it holds them all),
 * so the first pages are exact while enough held comments stay on the near side of each bound.
 */
export interface FirstPagesOnly {
  /** Visible top-level comments in the whole thread. */
  topTotal: number;
  /** Visible replies of each comment held. */
  replyCounts: Map<string, number>;
  newestFrom: string | null;
  oldestTo: string | null;
  topFrom: TopRank | null;
  /** False once a comment not held may have risen in `top` (a reaction or reply to it). */
  topExact: boolean;
  /** True once an event could not be applied exactly: only a thread built in full answers. */
  broken: boolean;
}

export interface ArticleFields {
  locked: boolean;
  reactions: ReactionTotals;
  premod: PremodMode | null;
}

export interface PageQuery {
  sort: SortOrder;
  limit: number;
  cursor: Cursor | null;
  /** Replies of this comment; null for the top-level page. */
  parent: string | null;
}

/** A serialised answer shared by every anonymous reader of one page at one seq. */
export interface SharedAnswer {
  /** The JSON as UTF-8 bytes, encoded once for every reader it is sent to. */
  bytes: Buffer;
  etag: string;
  seq: number;
}

const visible = (c: Pick<Comment, 'status'>) => c.status === 'published' || c.status === 'deleted';
const sum = (t: ReactionTotals) => Object.values(t).reduce((s, n) => s + n, 0);

/** First index in the ascending `ids` whose id is >= `id` (or > `id` when `after`). */
function bound(ids: string[], id: string, after: boolean): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid]! < id || (after && ids[mid] === id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Thread {
  /** The seq of the last event this thread reflects. */
  seq: number;
  /** When the log was last seen to hold nothing after `seq` (ms); old ones are rebuilt. */
  verifiedAt: number;
  /** Own events that came before the events preceding them; applied once those are. */
  readonly ahead = new Map<number, ArticleEvent>();
  /** Set on a thread that holds only its first pages; undefined on a thread built in full. */
  partial: FirstPagesOnly | undefined;
  private article: ArticleFields;
  private readonly comments = new Map<string, Comment>();
  /** Visible children by parent id (TOP for top-level), ids ascending (= creation order). */
  private readonly kids = new Map<string, string[]>();
  private published = 0;
  private commentBytes = 0;
  private readonly topOrders = new Map<string, string[]>();
  private readonly answers = new Map<string, SharedAnswer>();
  private answerBytes = 0;

  constructor(
    readonly site: string,
    readonly articleId: string,
    seq: number,
    article: ArticleFields,
    comments: Comment[],
    verifiedAt: number,
  ) {
    this.seq = seq;
    this.article = article;
    this.verifiedAt = verifiedAt;
    for (const c of comments) if (visible(c)) this.insert(strip(c));
  }

  /** Estimated bytes held (the cache's budget is counted in these). */
  get bytes(): number {
    return this.commentBytes + this.answerBytes + 1024;
  }

  get size(): number {
    return this.comments.size;
  }

  /** The article fields readers see (snapshots copy them). */
  get fields(): ArticleFields {
    return this.article;
  }

  /** Makes this thread one that holds only its first pages (built from a snapshot). */
  holdFirstPagesOnly(state: FirstPagesOnly, commentCount: number): void {
    this.partial = state;
    this.published = commentCount;
  }

  /** Whether this thread answers `q` exactly (a thread built in full answers everything). */
  canAnswer(q: PageQuery): boolean {
    const p = this.partial;
    if (!p) return true;
    if (p.broken || q.parent || q.cursor) return false;
    const ids = this.kids.get(TOP) ?? [];
    if (ids.length >= p.topTotal) return true;
    if (q.sort === 'newest') return p.newestFrom !== null && ids.length - bound(ids, p.newestFrom, false) >= q.limit;
    if (q.sort === 'oldest') return p.oldestTo !== null && bound(ids, p.oldestTo, true) >= q.limit;
    if (!p.topExact || !p.topFrom) return false;
    const last = this.topSlice(TOP, ids, q).ids[q.limit - 1];
    return last !== undefined && this.ranksFrom(last, p.topFrom);
  }

  /** Whether the article view is exact (counts are kept even when only first pages are held). */
  get viewExact(): boolean {
    return !this.partial?.broken;
  }

  /** The rank of a held comment in `top` order. */
  rank(id: string): TopRank {
    return { score: this.score(id), id };
  }

  /**
   * Applies the event that follows `seq`; anything else is left alone (false). Comment events
   * replace the comment by id (a status readers do not see removes it); a comment already
   * shown keeps the reaction totals its `reaction:updated` events gave it while its status
   * stays, since the comment event's totals may be older than theirs.
   */
  apply(ev: ArticleEvent): boolean {
    if (ev.seq !== this.seq + 1 || ev.article !== this.articleId) return false;
    switch (ev.type) {
      case 'comment:created':
      case 'comment:updated': {
        const c = strip(ev as unknown as Comment);
        const before = this.comments.get(c.id);
        if (before && visible(c)) this.replace(before, before.status === c.status ? { ...c, reactions: before.reactions } : c);
        else if (before) this.remove(c.id);
        // Not held by a thread of first pages: whether readers saw it before is unknown.
        else if (this.partial && ev.type === 'comment:updated') this.partial.broken = true;
        else if (visible(c)) this.insert(c);
        break;
      }
      case 'comment:deleted':
        if (this.comments.has(ev.id)) this.remove(ev.id);
        else if (this.partial) this.partial.broken = true;
        break;
      case 'reaction:updated':
        if ('comment' in ev.target) {
          const c = this.comments.get(ev.target.comment);
          if (c) this.comments.set(c.id, { ...c, reactions: { ...ev.reactions } });
          else if (this.partial) this.partial.topExact = false; // one not held may rise in `top`
        } else if (ev.target.article === this.articleId) {
          this.article = { ...this.article, reactions: { ...ev.reactions } };
        }
        break;
      case 'article:updated': {
        const premod = (ev as { premod?: PremodMode | null }).premod;
        this.article = { ...this.article, locked: ev.locked, ...(premod !== undefined ? { premod } : {}) };
        break;
      }
    }
    this.seq = ev.seq;
    this.topOrders.clear();
    this.answers.clear();
    this.answerBytes = 0;
    return true;
  }

  /** Keeps an event that is ahead of the next seq; applies what has become contiguous. */
  offer(ev: ArticleEvent): void {
    if (ev.seq <= this.seq) return;
    if (ev.seq > this.seq + 1 && this.ahead.size < MAX_AHEAD) this.ahead.set(ev.seq, ev);
    else this.apply(ev);
    this.drainAhead();
  }

  /** Applies the kept events that now follow `seq`, and forgets those already passed. */
  drainAhead(): void {
    for (let next = this.ahead.get(this.seq + 1); next; next = this.ahead.get(this.seq + 1)) {
      this.ahead.delete(next.seq);
      this.apply(next);
    }
    for (const s of this.ahead.keys()) if (s <= this.seq) this.ahead.delete(s);
  }

  // ---------------------------------------------------------------- answers

  articleView(viewers: number): ArticleView {
    return {
      article: this.articleId,
      seq: this.seq,
      commentCount: this.published,
      reactions: { ...this.article.reactions },
      locked: this.article.locked,
      viewers,
      premod: this.article.premod,
    };
  }

  /** A page: top-level comments with their first replies, or the replies of `parent`. */
  page(q: PageQuery): CommentPage {
    const ids = this.kids.get(q.parent ?? TOP) ?? [];
    const slice = q.sort === 'top' ? this.topSlice(q.parent ?? TOP, ids, q) : this.idSlice(ids, q);
    const total = this.partial && !q.parent ? this.partial.topTotal : ids.length;
    if (this.partial && !q.parent) slice.more = q.limit < total; // a first page (see `canAnswer`)
    const comments = slice.ids.map((id) => {
      const c = this.view(id);
      if (!q.parent) c.replies = (this.kids.get(id) ?? []).slice(0, FIRST_REPLIES).map((r) => this.view(r));
      return c;
    });
    const last = comments[comments.length - 1];
    const nextCursor = slice.more && last ? encodeCursor(last.id, q.sort, this.score(last.id)) : null;
    return { comments, nextCursor, total, seq: this.seq };
  }

  /** The serialised answer under `key` at this seq, made once by `make`. */
  shared(key: string, make: () => string): SharedAnswer {
    let a = this.answers.get(key);
    if (!a) {
      const bytes = Buffer.from(make(), 'utf8');
      const hash = createHash('sha1').update(bytes).digest('base64url').slice(0, 16);
      a = { bytes, etag: `W/"${this.seq}-${hash}"`, seq: this.seq };
      if (this.answers.size >= MAX_ANSWERS) {
        this.answers.clear();
        this.answerBytes = 0;
      }
      this.answers.set(key, a);
      this.answerBytes += bytes.length + 200;
    }
    return a;
  }

  // ---------------------------------------------------------------- internals

  private view(id: string): Comment {
    const c = this.comments.get(id)!;
    return { ...c, replyCount: this.replyCount(id) };
  }

  private replyCount(id: string): number {
    return this.partial?.replyCounts.get(id) ?? this.kids.get(id)?.length ?? 0;
  }

  private score(id: string): number {
    const c = this.comments.get(id);
    return (c ? sum(c.reactions) : 0) + this.replyCount(id);
  }

  /** Whether held comment `id` ranks at or above `from` in `top` order. */
  private ranksFrom(id: string, from: TopRank): boolean {
    const s = this.score(id);
    return s > from.score || (s === from.score && id >= from.id);
  }

  /** newest: ids below the cursor, descending; oldest: ids above it, ascending. */
  private idSlice(ids: string[], q: PageQuery): { ids: string[]; more: boolean } {
    if (q.sort === 'oldest') {
      const from = q.cursor ? bound(ids, q.cursor.id, true) : 0;
      return { ids: ids.slice(from, from + q.limit), more: from + q.limit < ids.length };
    }
    const to = q.cursor ? bound(ids, q.cursor.id, false) : ids.length; // exclusive
    const from = Math.max(0, to - q.limit);
    return { ids: ids.slice(from, to).reverse(), more: from > 0 };
  }

  /** top: score descending, then id descending; the cursor is the last (score, id) shown. */
  private topSlice(key: string, ids: string[], q: PageQuery): { ids: string[]; more: boolean } {
    let order = this.topOrders.get(key);
    if (!order) {
      const scored = ids.map((id) => ({ id, s: this.score(id) }));
      scored.sort((a, b) => b.s - a.s || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      order = scored.map((x) => x.id);
      this.topOrders.set(key, order);
    }
    let from = 0;
    if (q.cursor) {
      const { id, score = 0 } = q.cursor;
      let lo = 0;
      let hi = order.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const s = this.score(order[mid]!);
        if (s > score || (s === score && order[mid]! >= id)) lo = mid + 1;
        else hi = mid;
      }
      from = lo;
    }
    return { ids: order.slice(from, from + q.limit), more: from + q.limit < order.length };
  }

  /** The same comment, changed (its place in every index stays). */
  private replace(before: Comment, c: Comment): void {
    this.comments.set(c.id, c);
    this.published += (c.status === 'published' ? 1 : 0) - (before.status === 'published' ? 1 : 0);
    this.commentBytes += weight(c) - weight(before);
  }

  private insert(c: Comment): void {
    const p = this.partial;
    if (p && !this.holds(p, c)) {
      if (c.status === 'published') this.published++;
      return;
    }
    this.comments.set(c.id, c);
    const key = c.parentId ?? TOP;
    let list = this.kids.get(key);
    if (!list) this.kids.set(key, (list = []));
    const at = bound(list, c.id, false);
    if (list[at] !== c.id) list.splice(at, 0, c.id);
    if (c.status === 'published') this.published++;
    this.commentBytes += weight(c);
  }

  /**
   * Counts a new visible comment in a thread of first pages, and says whether to hold it: a
   * top-level one always; a reply when its parent is held with all its replies (so the first
   * replies held stay the first ones), which is also the only case where they are known.
   */
  private holds(p: FirstPagesOnly, c: Comment): boolean {
    if (!c.parentId) {
      p.topTotal++;
      p.replyCounts.set(c.id, 0);
      return true;
    }
    const count = p.replyCounts.get(c.parentId);
    if (count === undefined) {
      p.topExact = false; // its parent, not held, may be top-level and rise in `top`
      return false;
    }
    p.replyCounts.set(c.parentId, count + 1);
    if ((this.kids.get(c.parentId)?.length ?? 0) < count) return false;
    p.replyCounts.set(c.id, 0);
    return true;
  }

  private remove(id: string): void {
    const c = this.comments.get(id);
    if (!c) return;
    const p = this.partial;
    if (p) {
      if (!c.parentId) p.topTotal--;
      else {
        const count = p.replyCounts.get(c.parentId) ?? 0;
        // The parent's held replies were its first few, not all: the next one is not held.
        if ((this.kids.get(c.parentId)?.length ?? 0) < count) p.broken = true;
        p.replyCounts.set(c.parentId, count - 1);
      }
      p.replyCounts.delete(id);
    }
    this.comments.delete(id);
    const key = c.parentId ?? TOP;
    const list = this.kids.get(key);
    if (list) {
      const at = bound(list, id, false);
      if (list[at] === id) list.splice(at, 1);
      if (list.length === 0) this.kids.delete(key);
    }
    if (c.status === 'published') this.published--;
    this.commentBytes -= weight(c);
  }
}

/** The comment as kept: no event type, no reader's own reactions, no nested replies. */
function strip(c: Comment): Comment {
  const { type: _type, myReactions: _mine, replies: _replies, ...rest } = c as Comment & { type?: string };
  return { ...rest, id: rest.id.toLowerCase(), parentId: rest.parentId ? rest.parentId.toLowerCase() : null };
}

function weight(c: Comment): number {
  const strings = c.body.length + c.author.name.length + (c.author.picture?.length ?? 0) + (c.replyTo?.name.length ?? 0);
  return COMMENT_OVERHEAD + 2 * strings;
}
