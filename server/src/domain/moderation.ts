// Moderation decisions: approve, reject or mark as spam a queued comment, and what follows
// from it for readers (the thread), for the author (their record) and for other moderators
// (the queue). The first decision on a comment wins; see docs/ARCHITECTURE.md, "Moderation
// decisions".
import type { Comment, ModerationAction, QueueState } from '../../../client-sdk/src/protocol';
import { isDuplicateKey } from '../store/connection';
import type { CommentDoc, Models, UserDoc } from '../store/models';
import type { SiteRegistry } from '../trust/sites';
import { isModerator, type Actor } from './actor';
import type { CommentService } from './comments';
import { DomainError, conflict, forbidden } from './errors';
import type { ModLog } from './modlog';
import type { ModerationQueue } from './moderation-queue';
import { queueOf } from './queue-items';
import { commentView } from './views';

export interface DecideInput {
  action: ModerationAction;
  reason?: string;
  /** The queue the moderator saw the item in. */
  from?: QueueState;
}

export function requireModerator(actor: Actor): void {
  if (!actor.userId) throw new DomainError('unauthorized', 'Sign in as a moderator');
  if (!isModerator(actor)) throw forbidden('Only moderators and admins can do this');
}

export class ModerationService {
  constructor(
    private readonly models: Models,
    private readonly comments: CommentService,
    private readonly sites: SiteRegistry,
    readonly queue: ModerationQueue,
    readonly log: ModLog,
    private readonly onError: (err: unknown) => void,
  ) {
    comments.hooks.held = (doc, user) => this.held(doc, user);
    comments.hooks.withdrawn = (doc) => this.withdrawn(doc);
  }

  /** A comment was held: moderators see it at once (same turn), then the new counts. */
  held(doc: CommentDoc, user?: UserDoc | null): Promise<void> {
    if (user !== undefined) {
      this.queue.announce(doc, user);
      return this.queue.refreshCounts(doc.site);
    }
    return this.models.User.findOne({ site: doc.site, userId: doc.author.id })
      .lean<UserDoc>()
      .then((u) => {
        this.queue.announce(doc, u);
        return this.queue.refreshCounts(doc.site);
      })
      .catch(this.onError);
  }

  withdrawn(doc: CommentDoc): Promise<void> {
    this.queue.removed(doc.site, String(doc._id), doc.author.name, 'deleted');
    return this.queue.refreshCounts(doc.site);
  }

  async decide(actor: Actor, id: string, input: DecideInput): Promise<Comment> {
    requireModerator(actor);
    const site = actor.site.id;
    const doc = await this.comments.findComment(site, id);
    const current = queueOf(doc);
    // Outside the queues, a published comment can still be rejected (seen on the site).
    const rejectingPublished = !current && doc.status === 'published' && input.action !== 'approve' && !input.from;
    if (!current && !rejectingPublished) throw conflict(doc.decidedBy ? `Already decided by ${doc.decidedBy}` : 'This comment is not in a moderation queue');
    if (input.from && input.from !== current) throw conflict(current ? `This comment has moved to the ${current} queue` : `Already decided${doc.decidedBy ? ` by ${doc.decidedBy}` : ''}`);
    if (current === 'rejected' && input.action !== 'approve') throw conflict('This comment is already rejected');

    // The arbiter: one decision per comment and round, whichever node or connection asks.
    const round = (doc.decisions ?? 0) + 1;
    const by = actor.name ?? actor.userId!;
    try {
      await this.models.Decision.create({ site, commentId: id, round, action: input.action, moderator: actor.userId!, at: new Date() });
    } catch (err) {
      if (isDuplicateKey(err)) throw conflict('Another moderator decided this comment first');
      throw err;
    }

    const decided = { flagCount: 0, decidedBy: by, decisions: round };
    const result = input.action === 'approve' ? await this.approve(doc, decided) : await this.reject(actor, doc, decided, input.action);

    await this.log.write(actor, { action: input.action, target: { comment: id, user: doc.author.id, article: doc.article }, reason: input.reason });
    this.queue.removed(site, id, by, input.action);
    if (queueOf(result) === 'rejected') this.queue.announce(result, await this.author(result));
    await this.queue.refreshCounts(site);
    return commentView(result);
  }

  /** Approve: a comment readers do not see is published with a new seq; flags are closed. */
  private async approve(doc: CommentDoc, decided: Partial<CommentDoc>): Promise<CommentDoc> {
    const { Comment } = this.models;
    if (doc.status === 'published') {
      await Comment.updateOne({ _id: doc._id }, { $set: decided });
      return { ...doc, ...decided };
    }
    const published: CommentDoc = { ...doc, ...decided, status: 'published' };
    await Comment.updateOne({ _id: doc._id }, { $set: { ...decided, status: 'published' } });
    return this.comments.publish(published);
  }

  /** Reject or spam: out of the thread (readers get comment:deleted) and onto the author's record. */
  private async reject(actor: Actor, doc: CommentDoc, decided: Partial<CommentDoc>, action: 'reject' | 'spam'): Promise<CommentDoc> {
    const { Comment, User } = this.models;
    await Comment.updateOne({ _id: doc._id }, { $set: { ...decided, status: 'rejected' } });
    if (doc.status === 'published') await this.comments.removeFromThread(doc, 'rejected');
    const inc: Record<string, number> = { rejected: 1 };
    if (action === 'spam') inc.spam = 1;
    if (doc.status === 'published') inc.comments = -1;
    await User.updateOne({ site: doc.site, userId: doc.author.id }, { $inc: inc });
    if (action === 'spam') await this.premodAfterSpam(actor, doc.author.id);
    return { ...doc, ...decided, status: 'rejected' };
  }

  /** After the site's spamToPremod spam decisions, an active author's comments are held. */
  private async premodAfterSpam(actor: Actor, userId: string): Promise<void> {
    const site = this.sites.get(actor.site.id) ?? actor.site;
    const user = await this.models.User.findOne({ site: site.id, userId }).lean<UserDoc>();
    if (!user || user.state !== 'active' || user.spam < site.spamToPremod) return;
    await this.models.User.updateOne({ site: site.id, userId, state: 'active' }, { $set: { state: 'premod', reason: `spam:${user.spam}` } });
    await this.log.write(actor, { action: 'premod', target: { user: userId }, reason: `automatic after ${user.spam} spam decisions` });
  }

  private author(doc: CommentDoc): Promise<UserDoc | null> {
    return this.models.User.findOne({ site: doc.site, userId: doc.author.id }).lean<UserDoc>();
  }
}
