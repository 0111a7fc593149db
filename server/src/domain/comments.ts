// Comment threads: post, edit, delete, list. The rules of a thread live here, whichever
// transport the call came from.
import { createHash } from 'node:crypto';
import type { ArticleView, Comment, CommentPage } from '../../../client-sdk/src/protocol';
import { asGuest } from '../trust/auth';
import { PHASES, runPipeline, type Phase } from '../trust/pipeline';
import { sanitizeBody, type SanitizedBody } from '../trust/sanitize';
import { isDuplicateKey } from '../store/connection';
import { Types, trusted, type ArticleDoc, type CommentDoc, type Models, type UserDoc } from '../store/models';
import { isModerator, type Actor } from './actor';
import { DomainError, badRequest, forbidden, notFound } from './errors';
import type { EventLog } from './events';
import type { Fanout } from './fanout';
import type { DomainObserver } from './observer';
import { ThreadReads, type ListInput } from './threads';
import { commentView } from './views';

export { FIRST_REPLIES, type ListInput } from './threads';

/** The same text from the same author within this window is a duplicate. */
const DUPLICATE_WINDOW_MS = 24 * 3600 * 1000;

/** Statuses readers see: published comments and tombstones of deleted ones that have replies. */
const VISIBLE: CommentDoc['status'][] = ['published', 'deleted'];
/** How long a retry waits for a publish still in flight before announcing the comment itself. */
const STRANDED_WAIT_STEPS = 10;
const STRANDED_WAIT_MS = 150;

export interface PostInput {
  article: string;
  body: string;
  parentId?: string | null;
  clientId: string;
  guest?: { name: string };
}

/** Hooks other domain services attach to (moderation queue, user records). */
export interface CommentHooks {
  /**
   * A comment entered the moderation queue (held by the pipeline). Called in the same turn
   * that stored it, with the author's record when it was read; it must not reject.
   */
  held?(doc: CommentDoc, user?: UserDoc | null): void | Promise<void>;
  /** A queued comment (held or flagged) was deleted by its author; it must not reject. */
  withdrawn?(doc: CommentDoc): void | Promise<void>;
}

export class CommentService {
  hooks: CommentHooks = {};
  /** Told how long posts take and what the pipeline decides (metrics). */
  observer: DomainObserver = {};

  constructor(
    private readonly models: Models,
    private readonly events: EventLog,
    private readonly fanout: Fanout,
    private readonly phases: readonly Phase[] = PHASES,
    reads?: ThreadReads,
  ) {
    this.reads = reads ?? new ThreadReads(models, events, fanout);
  }

  // ------------------------------------------------------------------ reading

  /** Pages and article views come from the read model (domain/threads). */
  readonly reads: ThreadReads;

  getArticle(actor: Actor, article: string): Promise<ArticleView> {
    return this.reads.getArticle(actor, article);
  }

  listComments(actor: Actor, article: string, input: ListInput): Promise<CommentPage> {
    return this.reads.listComments(actor, article, input);
  }

  myReactions(actor: Actor, targets: string[]): Promise<Map<string, string[]>> {
    return this.reads.myReactions(actor, targets);
  }

  async getComment(actor: Actor, id: string): Promise<Comment> {
    const doc = await this.findComment(actor.site.id, id);
    if (!VISIBLE.includes(doc.status) && !isModerator(actor) && doc.author.id !== actor.userId) throw notFound('No such comment');
    return commentView(doc);
  }

  async counts(site: string, articles: string[]): Promise<Record<string, number>> {
    const docs = await this.models.Article.find({ site, article: trusted({ $in: articles }) }, { article: 1, commentCount: 1 }).lean();
    const counts: Record<string, number> = Object.fromEntries(articles.map((a) => [a, 0]));
    for (const d of docs) counts[d.article] = d.commentCount;
    return counts;
  }

  // ------------------------------------------------------------------ writing

  /** Posts a comment; `created` is false when the same clientId had already posted it. */
  async postComment(caller: Actor, input: PostInput): Promise<{ comment: Comment; created: boolean }> {
    const started = performance.now();
    try {
      const posted = await this.postOnce(caller, input);
      this.observer.posted?.(performance.now() - started, posted.created ? posted.comment.status : 'duplicate');
      return posted;
    } catch (err) {
      this.observer.posted?.(performance.now() - started, err instanceof DomainError ? err.code : 'failed');
      throw err;
    }
  }

  private async postOnce(caller: Actor, input: PostInput): Promise<{ comment: Comment; created: boolean }> {
    const site = caller.site;
    const actor = caller.userId ? caller : input.guest ? asGuest(caller, input.guest.name) : null;
    if (!actor) {
      throw new DomainError(
        'unauthorized',
        site.guests ? 'Sign in, or give a guest name, to comment' : 'Sign in to comment on this site',
      );
    }
    const authorId = actor.userId!;

    // A retry of a stored post is recognised by the unique {site, author, clientId} index when
    // the comment is inserted; before refusing a post for a reason that may have arisen since
    // it was first sent (the article locked, the author banned), look for it.
    const key = { site: site.id, authorId, clientId: input.clientId };
    const body = this.checkedBody(actor, input.body);
    const article = await this.ensureArticle(site.id, input.article);
    if (article.locked && !isModerator(actor)) {
      return (await this.existingPost(key)) ?? Promise.reject(new DomainError('locked', 'Comments on this article are closed'));
    }
    const user = await this.models.User.findOne({ site: site.id, userId: authorId }).lean();
    if (user?.state === 'banned' && (!user.bannedUntil || user.bannedUntil > new Date())) {
      return (
        (await this.existingPost(key)) ??
        Promise.reject(forbidden(user.bannedUntil ? `You are banned from commenting until ${user.bannedUntil.toISOString()}` : 'You are banned from commenting on this site'))
      );
    }

    const place = await this.placeReply(site.id, input.article, input.parentId ?? null, site.maxDepth);
    const outcome = await runPipeline(this.phases, {
      actor,
      article,
      body,
      user,
      edit: false,
      recentSameText: () => this.recentSameText(site.id, authorId, body.text),
    });
    this.observer.decided?.(outcome.status, outcome.reasons, false);

    const now = new Date();
    let doc: CommentDoc;
    let held: void | Promise<void> = undefined;
    try {
      const created = await this.models.Comment.create({
        site: site.id,
        article: input.article,
        ...place,
        author: { id: authorId, name: actor.name!, ...(actor.picture ? { picture: actor.picture } : {}), ...(actor.guest ? { guest: true } : {}) },
        clientId: input.clientId,
        body: body.html,
        text: body.text,
        status: outcome.status,
        reasons: outcome.reasons,
        createdAt: now,
      });
      doc = created.toObject() as CommentDoc;
      if (doc.status === 'pending') held = this.hooks.held?.(doc, user);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const again = await this.existingPost(key);
      if (!again) throw err;
      return again;
    }

    const published = outcome.status === 'published';
    await this.models.User.updateOne(
      { site: site.id, userId: authorId },
      { $set: { name: actor.name }, $setOnInsert: { createdAt: now }, ...(published ? { $inc: { comments: 1 } } : {}) },
      { upsert: true },
    ).catch((err) => { if (!isDuplicateKey(err)) throw err; });
    if (outcome.status !== 'rejected') await this.rememberText(site.id, authorId, body.text, now);

    if (published) doc = await this.publish(doc, { authorCounted: true });
    else if (outcome.status === 'pending') await held;
    return { comment: commentView(doc, []), created: true };
  }

  /**
   * Makes a stored comment visible to readers: counters, then the event that carries it.
   * Also used by moderation when a held comment is approved.
   */
  async publish(doc: CommentDoc, opts: { authorCounted?: boolean } = {}): Promise<CommentDoc> {
    const { Comment, Article, User } = this.models;
    if (doc.status !== 'published') {
      await Comment.updateOne({ _id: doc._id }, { $set: { status: 'published' } });
      doc = { ...doc, status: 'published' };
    }
    await Article.updateOne({ site: doc.site, article: doc.article }, { $inc: doc.parentId ? { commentCount: 1 } : { commentCount: 1, topLevelCount: 1 } });
    if (doc.parentId) await Comment.updateOne({ _id: doc.parentId }, { $inc: { replyCount: 1, score: 1 } });
    if (!opts.authorCounted) await User.updateOne({ site: doc.site, userId: doc.author.id }, { $inc: { comments: 1 } });
    const event = await this.events.append(doc.site, doc.article, 'comment:created', commentView(doc));
    await Comment.updateOne({ _id: doc._id }, { $set: { seq: event.seq } });
    doc = { ...doc, seq: event.seq };
    this.fanout.toArticle(doc.site, event);
    return doc;
  }

  /**
   * A retry found its comment published but never announced: the node that stored it died
   * between the insert and the event. Give a publish still in flight a moment, then send the
   * event ourselves and recount what that node may not have counted.
   */
  private async announceStranded(doc: CommentDoc): Promise<CommentDoc> {
    const { Comment, Article } = this.models;
    for (let i = 0; i < STRANDED_WAIT_STEPS; i++) {
      await new Promise((r) => setTimeout(r, STRANDED_WAIT_MS));
      const now = await Comment.findOne({ _id: doc._id }).lean<CommentDoc>();
      if (!now) return doc;
      if (now.seq !== 0 || now.status !== 'published') return now;
    }
    const event = await this.events.append(doc.site, doc.article, 'comment:created', commentView(doc));
    await Comment.updateOne({ _id: doc._id }, { $set: { seq: event.seq } });
    const published = await Comment.countDocuments({ site: doc.site, article: doc.article, status: 'published' });
    const topLevel = await Comment.countDocuments({ site: doc.site, article: doc.article, parentId: null, status: trusted({ $in: VISIBLE }) });
    await Article.updateOne({ site: doc.site, article: doc.article }, { $set: { commentCount: published, topLevelCount: topLevel } });
    if (doc.parentId) {
      const replies = await Comment.countDocuments({ site: doc.site, article: doc.article, parentId: doc.parentId, status: trusted({ $in: VISIBLE }) });
      await Comment.updateOne({ _id: doc.parentId }, { $set: { replyCount: replies } });
    }
    this.fanout.toArticle(doc.site, event);
    return { ...doc, seq: event.seq };
  }

  async editComment(actor: Actor, id: string, rawBody: string): Promise<Comment> {
    const doc = await this.findComment(actor.site.id, id);
    const mod = isModerator(actor);
    if (doc.status === 'deleted' || doc.status === 'rejected') throw notFound('No such comment');
    if (!mod) {
      if (!actor.userId || actor.guest || doc.author.id !== actor.userId) throw forbidden('Only the author or a moderator can edit this comment');
      const windowMs = actor.site.editWindowSec * 1000;
      if (Date.now() - doc.createdAt.getTime() > windowMs) throw forbidden('The edit window for this comment has closed');
    }
    const body = this.checkedBody(actor, rawBody);
    const article = await this.ensureArticle(doc.site, doc.article);
    if (article.locked && !mod) throw new DomainError('locked', 'Comments on this article are closed');
    let status: CommentDoc['status'] = doc.status;
    let reasons = doc.reasons;
    if (!mod) {
      const user = await this.models.User.findOne({ site: doc.site, userId: doc.author.id }).lean();
      const outcome = await runPipeline(this.phases, {
        actor,
        article,
        body,
        user,
        edit: true,
        recentSameText: async () => false,
      });
      this.observer.decided?.(outcome.status, outcome.reasons, true);
      if (outcome.status === 'rejected') throw badRequest(outcome.message ?? `Edit refused (${outcome.reasons.join(', ')})`);
      if (outcome.status === 'pending') {
        status = 'pending';
        reasons = outcome.reasons;
      }
    }
    const editedAt = new Date();
    await this.models.Comment.updateOne(
      { _id: doc._id },
      { $set: { body: body.html, text: body.text, editedAt, status, reasons } },
    );
    let updated: CommentDoc = { ...doc, body: body.html, text: body.text, editedAt, status, reasons };
    if (doc.status === 'published' && status === 'published') {
      const event = await this.events.append(doc.site, doc.article, 'comment:updated', commentView(updated));
      await this.models.Comment.updateOne({ _id: doc._id }, { $set: { seq: event.seq } });
      updated = { ...updated, seq: event.seq };
      this.fanout.toArticle(doc.site, event);
    } else if (doc.status === 'published' && status === 'pending') {
      await this.unpublish(updated);
      await this.hooks.held?.(updated);
    }
    return commentView(updated);
  }

  async deleteComment(actor: Actor, id: string): Promise<void> {
    const doc = await this.findComment(actor.site.id, id);
    if (doc.status === 'deleted') return;
    if (!isModerator(actor) && (!actor.userId || actor.guest || doc.author.id !== actor.userId)) {
      throw forbidden('Only the author or a moderator can delete this comment');
    }
    await this.removeFromThread(doc, 'deleted');
    await this.forgetText(doc); // saying it again after deleting it is not a duplicate
    if (doc.status === 'pending' || doc.flagCount > 0) await this.hooks.withdrawn?.(doc);
  }

  /**
   * Takes a comment out of the readers' thread: a tombstone when it has replies, gone
   * otherwise. `status` is what it becomes (`deleted` by its author, `rejected` by moderation,
   * `pending` while readers' flags hide it until a moderator decides).
   */
  async removeFromThread(doc: CommentDoc, status: 'deleted' | 'rejected' | 'pending'): Promise<CommentDoc> {
    const { Comment } = this.models;
    const wasPublished = doc.status === 'published';
    let updated: CommentDoc;
    if (status === 'deleted' && doc.replyCount === 0) {
      await Comment.deleteOne({ _id: doc._id });
      updated = { ...doc, status: 'deleted' };
      if (doc.parentId && wasPublished) await Comment.updateOne({ _id: doc.parentId }, { $inc: { replyCount: -1, score: -1 } });
    } else {
      const set = status === 'deleted' ? { status, body: '', text: '' } : { status };
      await Comment.updateOne({ _id: doc._id }, { $set: set });
      updated = { ...doc, ...set };
      // A tombstone still shows under its parent; a held or rejected reply does not, and
      // publish() counts it again if it comes back.
      if (status !== 'deleted' && doc.parentId && wasPublished) {
        await Comment.updateOne({ _id: doc.parentId, replyCount: trusted({ $gt: 0 }) }, { $inc: { replyCount: -1, score: -1 } });
      }
    }
    if (wasPublished) await this.unpublish(updated);
    // A held or hidden comment with visible replies, deleted: its tombstone now shows above
    // them, so readers are told.
    else if (updated.status === 'deleted' && doc.replyCount > 0) await this.announceTombstone(updated);
    return updated;
  }

  /** Tells readers a published comment is gone (or now a tombstone), and fixes the count. */
  private async unpublish(doc: CommentDoc): Promise<void> {
    await this.models.Article.updateOne({ site: doc.site, article: doc.article, commentCount: trusted({ $gt: 0 }) }, { $inc: { commentCount: -1 } });
    const tombstone = doc.status === 'deleted' && doc.replyCount > 0;
    if (!doc.parentId && !tombstone) {
      await this.models.Article.updateOne({ site: doc.site, article: doc.article, topLevelCount: trusted({ $gt: 0 }) }, { $inc: { topLevelCount: -1 } });
    }
    if (tombstone) {
      await this.announceTombstone(doc);
    } else {
      const event = await this.events.append(doc.site, doc.article, 'comment:deleted', { id: String(doc._id) });
      this.fanout.toArticle(doc.site, event);
    }
  }

  private async announceTombstone(doc: CommentDoc): Promise<void> {
    const event = await this.events.append(doc.site, doc.article, 'comment:updated', commentView(doc));
    await this.models.Comment.updateOne({ _id: doc._id }, { $set: { seq: event.seq } });
    this.fanout.toArticle(doc.site, event);
  }

  // ------------------------------------------------------------------ internals

  private checkedBody(actor: Actor, raw: string): SanitizedBody {
    const body = sanitizeBody(raw);
    if (!body.text) throw badRequest('The comment is empty');
    const length = [...body.text].length;
    if (length > actor.site.maxLength) {
      throw new DomainError('too_large', `The comment is ${length} characters long; the limit is ${actor.site.maxLength}`);
    }
    return body;
  }

  async ensureArticle(site: string, article: string): Promise<ArticleDoc> {
    const found = await this.models.Article.findOne({ site, article }).lean<ArticleDoc>();
    if (found) return found;
    try {
      await this.models.Article.create({ site, article });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    return (await this.models.Article.findOne({ site, article }).lean<ArticleDoc>())!;
  }

  async findComment(site: string, id: string): Promise<CommentDoc> {
    const doc = await this.commentById(site, toObjectId(id, 'id', 'not_found'));
    if (!doc) throw notFound('No such comment');
    return doc;
  }

  /** One comment by `_id` alone (the lookup every engine serves from an index), on this site. */
  private async commentById(site: string, _id: Types.ObjectId): Promise<CommentDoc | null> {
    const doc = await this.models.Comment.findOne({ _id }).lean<CommentDoc>();
    return doc && doc.site === site ? doc : null;
  }

  /** The comment an earlier send of this post stored, as a retry's answer. */
  private async existingPost(key: { site: string; authorId: string; clientId: string }): Promise<{ comment: Comment; created: false } | null> {
    const found = await this.models.Comment.findOne({ site: key.site, 'author.id': key.authorId, clientId: key.clientId }).lean<CommentDoc>();
    if (!found) return null;
    const done = found.status === 'published' && found.seq === 0 ? await this.announceStranded(found) : found;
    return { comment: commentView(done), created: false };
  }

  /** Where a reply goes: under its parent, or beside it when the parent is at the depth cap. */
  private async placeReply(site: string, article: string, parentId: string | null, maxDepth: number) {
    if (!parentId) return { parentId: null, ancestors: [], depth: 0, replyTo: null };
    const parent = await this.commentById(site, toObjectId(parentId, 'parentId'));
    if (!parent || parent.article !== article) throw badRequest('parentId: no such comment in this article');
    if (parent.status !== 'published') throw badRequest('parentId: that comment cannot be replied to');
    if (parent.depth >= maxDepth && parent.parentId) {
      return {
        parentId: parent.parentId,
        ancestors: parent.ancestors,
        depth: parent.depth,
        replyTo: { id: String(parent._id), name: parent.author.name },
      };
    }
    return { parentId: parent._id, ancestors: [...parent.ancestors, parent._id], depth: parent.depth + 1, replyTo: null };
  }

  private async recentSameText(site: string, authorId: string, text: string): Promise<boolean> {
    const seen = await this.models.RecentText.findOne({ _id: textKey(site, authorId, text) }).lean();
    return seen !== null && seen.at.getTime() > Date.now() - DUPLICATE_WINDOW_MS;
  }

  private async rememberText(site: string, authorId: string, text: string, at: Date): Promise<void> {
    await this.models.RecentText.updateOne({ _id: textKey(site, authorId, text) }, { $set: { at } }, { upsert: true }).catch((err) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }

  private async forgetText(doc: CommentDoc): Promise<void> {
    await this.models.RecentText.deleteOne({ _id: textKey(doc.site, doc.author.id, doc.text) });
  }

  /** Deletes duplicate-check entries older than the window; run on a timer. */
  async sweepRecentTexts(now = Date.now()): Promise<number> {
    const r = await this.models.RecentText.deleteMany({ at: trusted({ $lt: new Date(now - DUPLICATE_WINDOW_MS) }) });
    return r.deletedCount ?? 0;
  }
}

function toObjectId(id: string, field: string, code: 'bad_request' | 'not_found' = 'bad_request'): Types.ObjectId {
  if (!/^[0-9a-f]{24}$/i.test(id)) throw new DomainError(code, code === 'not_found' ? 'No such comment' : `${field}: not a comment id`);
  return new Types.ObjectId(id);
}

function textKey(site: string, authorId: string, text: string): string {
  return createHash('sha256').update(`${site}\u0000${authorId}\u0000${text}`).digest('base64url');
}
