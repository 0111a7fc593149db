// Moderation decisions: approve, reject or mark as spam a queued comment, and what follows
// from it for readers (the thread), for the author (their record) and for other moderators
// (the queue). The first decision on a comment wins; see docs/ARCHITECTURE.md, "Moderation
// decisions".
import type { Comment, ModerationAction, QueueState } from '../../../client-sdk/src/protocol';
import { Types, trusted, userKey, type CommentDoc, type ModLogSnapshot, type Models, type UserDoc } from '../store/models';
import type { SiteRegistry } from '../trust/sites';
import { isModerator, type Actor } from './actor';
import type { CommentService } from './comments';
import { DomainError, conflict, forbidden, notFound } from './errors';
import type { Change } from './lifecycle';
import type { ModLog } from './modlog';
import type { ModerationQueue } from './moderation-queue';
import { queueOf } from './queue-items';
import { commentView } from './views';

export interface DecideInput {
  action: ModerationAction;
  reason?: string;
  /** The queue the moderator saw the item in. */
  from?: QueueState;
  /** The revision the moderator saw: a comment changed since then answers 409. */
  rev?: number;
}

export function requireModerator(actor: Actor): void {
  if (!actor.userId) throw new DomainError('unauthorized', 'Sign in as a moderator');
  if (!isModerator(actor)) throw forbidden('Only moderators and admins can do this');
}

/** Admin routes (exports, imports, readers' data): moderators get 403. */
export function requireAdmin(actor: Actor): void {
  if (!actor.userId) throw new DomainError('unauthorized', 'Sign in as an admin');
  if (actor.role !== 'admin') throw forbidden('Only admins can do this');
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
    comments.hooks.requeued = (doc) => this.requeued(doc);
    comments.hooks.moderatorChanged = (actor, change) => this.moderatorChanged(actor, change);
  }

  /** A comment was held: moderators see it at once (same turn), then the new counts. */
  held(doc: CommentDoc, user?: UserDoc | null): Promise<void> {
    if (user !== undefined) {
      this.queue.announce(doc, user);
      return this.queue.refreshCounts(doc.site);
    }
    return this.models.User.findOne({ _id: userKey(doc.site, doc.author.id) })
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

  /** A held comment was edited by its author: moderators see the new text and revision. */
  requeued(doc: CommentDoc): Promise<void> {
    return this.author(doc)
      .then((u) => void this.queue.updated(doc, u))
      .catch(this.onError);
  }

  /**
   * Approve, reject or spam. The lifecycle arbitrates: of two moderators (or a moderator and
   * the author, or the third flag) acting on one revision, one wins; with `rev`, a decision on a
   * comment that has changed since the moderator saw it answers 409.
   */
  async decide(actor: Actor, id: string, input: DecideInput): Promise<Comment> {
    requireModerator(actor);
    const site = actor.site.id;
    const by = actor.name ?? actor.userId!;
    let seen: CommentDoc | undefined;
    const change = await this.comments.lifecycle.change(
      site,
      commentObjectId(id),
      { id: actor.userId!, name: by },
      (doc) => {
        // Read again after losing the revision: readers' flags may have hidden it meanwhile,
        // but a moderator's decision or the author's edit means the moderator saw something else.
        seen ??= doc;
        if (doc.rev !== seen.rev && (doc.decidedBy !== seen.decidedBy || doc.body !== seen.body || doc.status === 'deleted')) {
          throw conflict(doc.decidedBy !== seen.decidedBy ? `Already decided by ${doc.decidedBy}` : 'This comment changed while you decided; look again');
        }
        const current = queueOf(doc);
        // Outside the queues, a published comment can still be rejected (seen on the site).
        const rejectingPublished = !current && doc.status === 'published' && input.action !== 'approve' && !input.from;
        if (!current && !rejectingPublished) throw conflict(doc.decidedBy ? `Already decided by ${doc.decidedBy}` : 'This comment is not in a moderation queue');
        if (input.from && input.from !== current) throw conflict(current ? `This comment has moved to the ${current} queue` : `Already decided${doc.decidedBy ? ` by ${doc.decidedBy}` : ''}`);
        if (current === 'rejected' && input.action !== 'approve') throw conflict('This comment is already rejected');
        const decided = { flagCount: 0, decidedBy: by, decision: input.action };
        return input.action === 'approve'
          ? { action: 'approve', set: { ...decided, status: 'published' } }
          : { action: input.action, set: { ...decided, status: 'rejected' } };
      },
      { ...(input.rev !== undefined ? { expectRev: input.rev } : {}), ...(input.reason ? { reason: input.reason } : {}) },
    );
    const { before, after } = change!;
    await this.authorRecord(before, after, input.action);
    if (input.action === 'spam') await this.premodAfterSpam(actor, before.author.id);

    await this.log.write(actor, { action: input.action, target: { comment: id, user: before.author.id, article: before.article }, reason: input.reason, before: snapshot(before), after: snapshot(after) });
    this.queue.removed(site, id, by, input.action);
    if (queueOf(after) === 'rejected') this.queue.announce(after, await this.author(after));
    await this.queue.refreshCounts(site);
    return commentView(after);
  }

  /** A moderator edited or deleted someone else's comment: who, what, before and after. */
  async moderatorChanged(actor: Actor, change: Change): Promise<void> {
    const { before, after, action } = change;
    await this.log.write(actor, { action: `comment.${action}`, target: { comment: String(before._id), user: before.author.id, article: before.article }, before: snapshot(before), after: snapshot(after) });
  }

  /** The author's rejected and spam counts follow decisions, and undoing one takes it back. */
  private async authorRecord(before: CommentDoc, after: CommentDoc, action: DecideInput['action']): Promise<void> {
    const inc: Record<string, number> = {};
    if (action !== 'approve' && before.status !== 'rejected') {
      inc.rejected = 1;
      if (action === 'spam') inc.spam = 1;
    }
    if (action === 'approve' && before.status === 'rejected' && (before.decision === 'reject' || before.decision === 'spam')) {
      inc.rejected = -1;
      if (before.decision === 'spam') inc.spam = -1;
    }
    if (Object.keys(inc).length === 0) return;
    const guard: Record<string, unknown> = {};
    for (const [k, n] of Object.entries(inc)) if (n < 0) guard[k] = trusted({ $gte: -n });
    await this.models.User.updateOne({ _id: userKey(after.site, after.author.id), ...guard }, { $inc: inc });
  }

  /** After the site's spamToPremod spam decisions, an active author's comments are held. */
  private async premodAfterSpam(actor: Actor, userId: string): Promise<void> {
    const site = this.sites.get(actor.site.id) ?? actor.site;
    const user = await this.models.User.findOne({ _id: userKey(site.id, userId) }).lean<UserDoc>();
    if (!user || user.state !== 'active' || user.spam < site.spamToPremod) return;
    await this.models.User.updateOne({ _id: userKey(site.id, userId), state: 'active' }, { $set: { state: 'premod', reason: `spam:${user.spam}` } });
    await this.log.write(actor, { action: 'premod', target: { user: userId }, reason: `automatic after ${user.spam} spam decisions` });
  }

  private author(doc: CommentDoc): Promise<UserDoc | null> {
    return this.models.User.findOne({ _id: userKey(doc.site, doc.author.id) }).lean<UserDoc>();
  }
}

function commentObjectId(id: string): Types.ObjectId {
  if (!/^[0-9a-f]{24}$/i.test(id)) throw notFound('No such comment');
  return new Types.ObjectId(id);
}

/** What the audit log keeps of a comment around a change. */
function snapshot(doc: CommentDoc): ModLogSnapshot {
  return { status: doc.status, body: doc.body, rev: doc.rev };
}
