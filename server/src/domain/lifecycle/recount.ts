// Counters that heal: an article's commentCount and topLevelCount and each comment's
// replyCount (and the score built on it) recounted from the comments themselves. Run on
// demand, and a moment after a burst of changes on one article (concurrent transitions, a lost
// claim, a decrement that found nothing): writes on other connections can lose an $inc on
// FerretDB, and a process can die between a change and its counters.
import type { ReactionTotals } from '../../../../client-sdk/src/protocol';
import { articleKey, trusted, type ArticleDoc, type CommentDoc, type Models } from '../../store/models';
import type { EventLog } from '../events';
import type { Fanout } from '../fanout';
import { readerView } from '../views';
import { readerClass } from './transitions';

/** Quiet time after the last change of a busy article before it is recounted. */
export const RECOUNT_DELAY_MS = 1000;

export interface RecountResult {
  commentCount: number;
  topLevelCount: number;
  /** Counters that were wrong and were set right (article fields and comments). */
  fixed: number;
}

type Counted = Pick<CommentDoc, '_id' | 'status' | 'visible' | 'parentId' | 'replyCount' | 'score' | 'reactions'>;
const COUNTED = { status: 1, visible: 1, parentId: 1, replyCount: 1, score: 1, reactions: 1 } as const;

const total = (t: ReactionTotals | undefined) => Object.values(t ?? {}).reduce((s, n) => s + (n > 0 ? n : 0), 0);

export class ThreadRecount {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Counters found wrong and fixed since start (metrics, tests). */
  fixes = 0;

  constructor(
    private readonly models: Models,
    private readonly events: EventLog,
    private readonly fanout: Fanout,
    private readonly onError: (err: unknown) => void,
    private readonly delayMs = RECOUNT_DELAY_MS,
  ) {}

  /** Recounts the article once it has been quiet for a moment; repeated calls push it back. */
  schedule(site: string, article: string): void {
    const key = `${site}\u0000${article}`;
    clearTimeout(this.timers.get(key));
    const t = setTimeout(() => {
      this.timers.delete(key);
      this.recount(site, article).catch(this.onError);
    }, this.delayMs);
    t.unref();
    this.timers.set(key, t);
  }

  async recount(site: string, article: string): Promise<RecountResult> {
    const docs = await this.models.Comment.find({ site, article }, COUNTED).lean<Counted[]>();
    return this.settle(site, article, docs);
  }

  /**
   * The recount of several articles of a site from one read of their comments (an import
   * recounts every article it wrote to: one scan, where an engine without secondary indexes
   * would scan the collection once per article).
   */
  async recountMany(site: string, articles: readonly string[]): Promise<Map<string, RecountResult>> {
    const docs = await this.models.Comment.find({ site, article: trusted({ $in: [...articles] }) }, { ...COUNTED, article: 1 }).lean<(Counted & { article: string })[]>();
    const byArticle = new Map<string, Counted[]>(articles.map((a) => [a, []]));
    for (const d of docs) byArticle.get(d.article)?.push(d);
    const out = new Map<string, RecountResult>();
    for (const [article, list] of byArticle) out.set(article, await this.settle(site, article, list));
    return out;
  }

  private async settle(site: string, article: string, docs: Counted[]): Promise<RecountResult> {
    const { Comment, Article } = this.models;
    let commentCount = 0;
    let topLevelCount = 0;
    const replies = new Map<string, number>();
    for (const d of docs) {
      const cls = readerClass(d);
      if (cls === 'published') commentCount++;
      if (cls === 'none') continue;
      if (!d.parentId) topLevelCount++;
      else replies.set(String(d.parentId), (replies.get(String(d.parentId)) ?? 0) + 1);
    }
    let fixed = 0;
    for (const d of docs) {
      const replyCount = replies.get(String(d._id)) ?? 0;
      const score = total(d.reactions) + replyCount;
      if (d.replyCount === replyCount && d.score === score) continue;
      // Set only if no one moved them since they were read; a writer in between recounts again.
      const r = await Comment.updateOne({ _id: d._id, replyCount: d.replyCount, score: d.score }, { $set: { replyCount, score } });
      if (r.modifiedCount === 0) continue;
      fixed++;
      if (readerClass(d) !== 'none') await this.announce(d._id);
    }
    const _id = articleKey(site, article);
    const a = await Article.findOne({ _id }, { commentCount: 1, topLevelCount: 1, locked: 1 }).lean<ArticleDoc>();
    if (a && (a.commentCount !== commentCount || a.topLevelCount !== topLevelCount)) {
      const r = await Article.updateOne(
        { _id, commentCount: a.commentCount, topLevelCount: a.topLevelCount ?? trusted({ $exists: false }) },
        { $set: { commentCount, topLevelCount } },
      );
      if (r.modifiedCount > 0) {
        fixed++;
        if (a.commentCount !== commentCount) {
          const event = await this.events.append(site, article, 'article:updated', { locked: a.locked, commentCount });
          this.fanout.toArticle(site, event);
        }
      }
    }
    this.fixes += fixed;
    return { commentCount, topLevelCount, fixed };
  }

  /** Readers see a comment whose reply count was corrected. */
  private async announce(_id: CommentDoc['_id']): Promise<void> {
    const doc = await this.models.Comment.findOne({ _id }).lean<CommentDoc>();
    if (!doc || readerClass(doc) === 'none') return;
    const event = await this.events.append(doc.site, doc.article, 'comment:updated', readerView(doc));
    await this.models.Comment.updateOne({ _id }, { $set: { seq: event.seq } });
    this.fanout.toArticle(doc.site, event);
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
