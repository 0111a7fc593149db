// What a change of a comment does outside the comment: the counters that readers see and the
// event that tells them. Derived from the comment before and after the change alone, so every
// transition (post, edit, delete, decision, hide) moves them by one rule, and only the writer
// that won the revision runs it.
import { articleKey, trusted, userKey, type CommentDoc, type Models } from '../../store/models';
import type { ArticleEvent } from '../../../../client-sdk/src/protocol';
import type { EventLog } from '../events';
import type { Fanout } from '../fanout';
import { readerView } from '../views';
import { readerClass } from './transitions';

export interface CounterWatch {
  /** A guarded decrement found nothing to decrement: the counters drifted; recount them. */
  drifted(site: string, article: string): void;
}

const flag = (b: boolean) => (b ? 1 : 0);

export class ThreadEffects {
  constructor(
    private readonly models: Models,
    private readonly events: EventLog,
    private readonly fanout: Fanout,
    private readonly watch: CounterWatch,
  ) {}

  /**
   * Moves the counters and tells readers. `before` is null for a new comment, `after` null for
   * one removed outright. Returns `after` with the seq of the event readers got, if any.
   */
  async apply(before: CommentDoc | null, after: CommentDoc | null): Promise<CommentDoc | null> {
    const doc = (after ?? before)!;
    const was = readerClass(before);
    const now = readerClass(after);
    const published = flag(now === 'published') - flag(was === 'published');
    const visible = flag(now !== 'none') - flag(was !== 'none');

    const article: Record<string, number> = {};
    if (published) article.commentCount = published;
    if (visible && !doc.parentId) article.topLevelCount = visible;
    // Increments ride on the event's own write of the article (its cached seq): one update
    // for both, and for every change of the article stored in the same batch. Decrements are
    // guarded on their own, first, as is a change that tells readers nothing.
    const withEvent = now !== 'none' && Object.keys(article).length > 0 && Object.values(article).every((n) => n > 0);
    if (!withEvent) await this.inc('Article', { _id: articleKey(doc.site, doc.article) }, article, doc);
    if (visible && doc.parentId) await this.inc('Comment', { _id: doc.parentId }, { replyCount: visible, score: visible }, doc);
    if (published) await this.inc('User', { _id: userKey(doc.site, doc.author.id) }, { comments: published }, doc, false);
    // A comment removed outright takes its reactions with it ({site, target} prefix of the
    // reactions' unique index).
    if (!after) await this.models.Reaction.deleteMany({ site: doc.site, target: `c:${doc._id}` });

    if (was === 'none' && now === 'none') return after;
    if (now === 'none') {
      const event = await this.events.append(doc.site, doc.article, 'comment:deleted', { id: String(doc._id) });
      this.fanout.toArticle(doc.site, event);
      return after;
    }
    const type = was === 'none' ? 'comment:created' : 'comment:updated';
    let event: ArticleEvent;
    if (withEvent) {
      const told = await this.events.appendCounted(doc.site, doc.article, type, readerView(after!), article);
      if (!told.counted) this.watch.drifted(doc.site, doc.article);
      event = told.event;
    } else {
      event = await this.events.append(doc.site, doc.article, type, readerView(after!));
    }
    await this.models.Comment.updateOne({ _id: after!._id }, { $set: { seq: event.seq } });
    this.fanout.toArticle(doc.site, event);
    return { ...after!, seq: event.seq };
  }

  /**
   * One $inc; a decrement only where the counter is above zero, so no count goes negative.
   * A decrement that finds nothing to take from means the counters drifted (a write lost on
   * another connection): they are recounted.
   */
  private async inc(model: 'Article' | 'Comment' | 'User', filter: Record<string, unknown>, inc: Record<string, number>, doc: CommentDoc, mustExist = true): Promise<void> {
    if (Object.keys(inc).length === 0) return;
    const guarded = { ...filter };
    for (const [k, n] of Object.entries(inc)) if (n < 0 && k !== 'score') guarded[k] = trusted({ $gte: -n });
    const m = this.models[model] as unknown as { updateOne(f: unknown, u: unknown): Promise<{ matchedCount: number }> };
    const r = await m.updateOne(guarded, { $inc: inc });
    if (r.matchedCount === 0 && (mustExist || Object.values(inc).some((n) => n < 0))) this.watch.drifted(doc.site, doc.article);
  }
}
