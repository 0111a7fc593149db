// The moderation queues as pages and counts, and the live side of them: announcing new
// items and keeping every moderator's badge right.
import type {
  ModerationServerToClientEvents,
  QueueCounts,
  QueueItem,
  QueuePage,
  QueueState,
} from '../../../client-sdk/src/protocol';
import { Types, trusted, userKey, type CommentDoc, type Models, type UserDoc } from '../store/models';
import type { Fanout } from './fanout';
import { queueItem } from './queue-items';

type RemovedAction = Parameters<ModerationServerToClientEvents['queue:removed']>[0]['action'];

const IN_THREAD_OR_HIDDEN: CommentDoc['status'][] = ['published', 'pending'];

/** Each filter and the index that serves it (docs/DATA.md). */
function queueFilter(site: string, state: QueueState): Record<string, unknown> {
  switch (state) {
    case 'pending': // {site, status, flagCount, _id}
      return { site, status: 'pending', flagCount: 0 };
    case 'flagged': // {site, flagCount, _id}
      return { site, flagCount: trusted({ $gt: 0 }), status: trusted({ $in: IN_THREAD_OR_HIDDEN }) };
    case 'rejected': // {site, status, _id}
      return { site, status: 'rejected' };
  }
}

/** Working queues run oldest first; the rejected list, kept for undoing, newest first. */
const direction = (state: QueueState): 1 | -1 => (state === 'rejected' ? -1 : 1);

export class ModerationQueue {
  private readonly refreshing = new Map<string, { again: boolean; done: Promise<void> }>();
  /** Told every recount of a site's queues (the webhooks' backlog event); not awaited. */
  readonly countWatchers: ((site: string, counts: QueueCounts) => unknown)[] = [];

  constructor(
    private readonly models: Models,
    private readonly fanout: Fanout,
    private readonly onError: (err: unknown) => void,
  ) {}

  async page(site: string, input: { state: QueueState; cursor?: string; limit?: number; article?: string }): Promise<QueuePage> {
    const limit = input.limit ?? 50;
    const dir = direction(input.state);
    const filter = queueFilter(site, input.state);
    if (input.article !== undefined) filter.article = input.article;
    if (input.cursor) filter._id = trusted({ [dir === 1 ? '$gt' : '$lt']: new Types.ObjectId(input.cursor) });
    const [docs, counts] = await Promise.all([
      this.models.Comment.find(filter).sort({ _id: dir }).limit(limit + 1).lean<CommentDoc[]>(),
      this.counts(site),
    ]);
    const more = docs.length > limit;
    if (more) docs.pop();
    const users = await this.authors(site, docs);
    const items = docs.map((d) => queueItem(d, users.get(d.author.id)));
    return { items, nextCursor: more ? String(docs[docs.length - 1]!._id) : null, counts };
  }

  async counts(site: string): Promise<QueueCounts> {
    const [pending, flagged] = await Promise.all([
      this.models.Comment.countDocuments(queueFilter(site, 'pending')),
      this.models.Comment.countDocuments(queueFilter(site, 'flagged')),
    ]);
    return { pending, flagged };
  }

  /** Sends a new (or changed) item to every moderator of the site, synchronously. */
  announce(doc: CommentDoc, user: UserDoc | null | undefined): QueueItem {
    const item = queueItem(doc, user);
    this.fanout.toModerators(doc.site, 'queue:added', item);
    return item;
  }

  /** A queued comment changed (its author edited it): the item with its new body and rev. */
  updated(doc: CommentDoc, user: UserDoc | null | undefined): QueueItem {
    const item = queueItem(doc, user);
    this.fanout.toModerators(doc.site, 'queue:updated', item);
    return item;
  }

  removed(site: string, id: string, by: string, action: RemovedAction): void {
    this.fanout.toModerators(site, 'queue:removed', { id, by, action });
  }

  /**
   * Recounts and sends `queue:counts`. Calls that arrive while a count runs share one more
   * count after it, so a burst of posts costs two counts, not one per post. Never rejects.
   */
  refreshCounts(site: string): Promise<void> {
    const running = this.refreshing.get(site);
    if (running) {
      running.again = true;
      return running.done;
    }
    const state = { again: true, done: Promise.resolve() };
    state.done = (async () => {
      try {
        while (state.again) {
          state.again = false;
          const counts = await this.counts(site);
          this.fanout.toModerators(site, 'queue:counts', counts);
          for (const watch of this.countWatchers) void Promise.resolve(watch(site, counts)).catch(this.onError);
        }
      } catch (err) {
        this.onError(err);
      } finally {
        this.refreshing.delete(site);
      }
    })();
    this.refreshing.set(site, state);
    return state.done;
  }

  /** Authors' records for a page of items, by `_id`. */
  async authors(site: string, docs: CommentDoc[]): Promise<Map<string, UserDoc>> {
    const ids = [...new Set(docs.map((d) => d.author.id))];
    if (ids.length === 0) return new Map();
    const users = await this.models.User.find({ _id: trusted({ $in: ids.map((id) => userKey(site, id)) }) }).lean<UserDoc[]>();
    return new Map(users.map((u) => [u.userId, u]));
  }
}
