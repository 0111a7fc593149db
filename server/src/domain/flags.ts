// Readers report comments. One flag per user and comment; the first open flag puts the comment
// in the flagged queue; the site's `flagsToHide` distinct flags take it out of the thread until
// a moderator decides. Only signed-in users may flag: guests are named by address and name, so
// one person could flag as many "guests" and hide anyone's comment.
import type { FlagReason } from '../../../client-sdk/src/protocol';
import { trusted, userKey, type CommentDoc, type Models, type UserDoc } from '../store/models';
import type { Actor } from './actor';
import type { CommentService } from './comments';
import { DomainError, badRequest, notFound } from './errors';
import type { ModerationQueue } from './moderation-queue';

export interface FlagInput {
  reason: FlagReason;
  note?: string;
}

export class FlagService {
  /** Told of each new flag (statistics), once it is stored. */
  readonly watchers: ((site: string, article: string) => void)[] = [];

  constructor(
    private readonly models: Models,
    private readonly comments: CommentService,
    private readonly queue: ModerationQueue,
  ) {}

  /** Records the flag; true when it was new (false: this user had flagged it already). */
  async flag(actor: Actor, id: string, input: FlagInput): Promise<boolean> {
    if (!actor.userId || actor.guest) throw new DomainError('unauthorized', 'Sign in to report a comment');
    const { Comment, User } = this.models;
    const doc = await this.comments.findComment(actor.site.id, id);
    if (doc.status !== 'published' && !(doc.status === 'pending' && doc.flagCount > 0)) throw notFound('No such comment');
    if (doc.author.id === actor.userId) throw badRequest('You cannot report your own comment');
    if ((doc.flags ?? []).some((f) => f.userId === actor.userId)) return false;

    const author = await User.findOne({ _id: userKey(doc.site, doc.author.id) }).lean<UserDoc>();
    const flag = { userId: actor.userId, reason: input.reason, ...(input.note ? { note: input.note } : {}), at: new Date() };
    const r = await Comment.updateOne(
      { _id: doc._id, 'flags.userId': trusted({ $ne: actor.userId }) },
      { $push: { flags: flag }, $inc: { flagCount: 1 } },
    );
    if (r.modifiedCount === 0) return false;
    for (const w of this.watchers) {
      try {
        w(doc.site, doc.article);
      } catch {
        // a watcher's failure is its own
      }
    }
    let after = (await Comment.findOne({ _id: doc._id }).lean<CommentDoc>())!;
    this.queue.announce(after, author);

    if (after.status === 'published' && after.flagCount >= actor.site.flagsToHide) after = (await this.hide(actor, after)) ?? after;
    await this.queue.refreshCounts(doc.site);
    return true;
  }

  /**
   * Out of readers' sight (comment:deleted with a seq, or a tombstone while it has replies)
   * until a moderator decides. A lifecycle move from `published`: if a moderator or the author
   * got there first, it finds another state and does nothing, so readers get one event.
   */
  private async hide(actor: Actor, doc: CommentDoc): Promise<CommentDoc | null> {
    const change = await this.comments.lifecycle.change(doc.site, doc._id, { id: 'flags', name: 'readers\' flags' }, (now) =>
      now.status === 'published' && now.flagCount >= actor.site.flagsToHide ? { action: 'hide', set: { status: 'pending' } } : null,
    { goneIsDone: true });
    if (!change) return null;
    const user = await this.models.User.findOne({ _id: userKey(doc.site, doc.author.id) }).lean<UserDoc>();
    this.queue.announce(change.after, user);
    return change.after;
  }
}
