// Comment threads: post, edit, delete, list. The rules of a thread live here, whichever
// transport the call came from.
import { createHash } from 'node:crypto';
import type { ArticleView, Comment, CommentPage } from '../../../client-sdk/src/protocol';
import { asGuest } from '../trust/auth';
import { PHASES, runPipeline, type Phase } from '../trust/pipeline';
import { sanitizeBody, type SanitizedBody } from '../trust/sanitize';
import { isDuplicateKey } from '../store/connection';
import { insertGrouped } from '../store/group-commit';
import { Types, articleKey, trusted, userKey, type ArticleDoc, type CommentDoc, type Models, type UserDoc } from '../store/models';
import { isModerator, type Actor } from './actor';
import { DomainError, badRequest, forbidden, notFound } from './errors';
import { checkArticleId } from './article-ids';
import type { Change, CommentLifecycle } from './lifecycle';
import type { DomainObserver } from './observer';
import { postKey } from '../store/migrations';
import type { ThreadReads, ListInput } from './threads';
import { commentView, readerView } from './views';

export { FIRST_REPLIES, type ListInput } from './threads';

/** The same text from the same author within this window is a duplicate. */
const DUPLICATE_WINDOW_MS = 24 * 3600 * 1000;

/**
 * A post key whose comment is still missing this long after the key was claimed: its send died
 * in between, and a retry takes the key over. (The send itself checks, after storing its
 * comment, that the key is still its own, so a slow send that loses its key stores nothing.)
 */
const ABANDONED_POST_MS = 3000;

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
  /** A held comment's author edited it: moderators see the new body and revision. */
  requeued?(doc: CommentDoc): void | Promise<void>;
  /** A moderator edited or deleted someone else's comment (the audit log). */
  moderatorChanged?(actor: Actor, change: Change): void | Promise<void>;
}

export class CommentService {
  hooks: CommentHooks = {};
  /** Told how long posts take and what the pipeline decides (metrics). */
  observer: DomainObserver = {};

  constructor(
    private readonly models: Models,
    readonly lifecycle: CommentLifecycle,
    /** Pages and article views come from the read model (domain/threads). */
    readonly reads: ThreadReads,
    private readonly phases: readonly Phase[] = PHASES,
  ) {}

  // ------------------------------------------------------------------ reading

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
    if (isModerator(actor) || doc.author.id === actor.userId) return commentView(doc);
    if (!doc.visible) throw notFound('No such comment');
    return readerView(doc);
  }

  async counts(site: string, articles: string[]): Promise<Record<string, number>> {
    const docs = await this.models.Article.find({ _id: trusted({ $in: articles.map((a) => articleKey(site, a)) }) }, { article: 1, commentCount: 1 }).lean();
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

  private async postOnce(caller: Actor, input: PostInput, takeover = false): Promise<{ comment: Comment; created: boolean }> {
    const site = caller.site;
    const actor = caller.userId ? caller : input.guest ? asGuest(caller, input.guest.name) : null;
    if (!actor) {
      throw new DomainError(
        'unauthorized',
        site.guests ? 'Sign in, or give a guest name, to comment' : 'Sign in to comment on this site',
      );
    }
    const authorId = actor.userId!;
    const by = { id: authorId, name: actor.name! };

    // A retry of a stored post is answered with that post before anything else is checked:
    // whatever happened since (the article locked, the parent hidden, the author banned), the
    // post was accepted when it was first sent. One read by `_id`.
    const key = postKey(site.id, authorId, input.article, input.clientId);
    const earlier = await this.existingPost(key, by);
    if (earlier) return earlier;

    const body = this.checkedBody(actor, input.body);
    checkArticleId(site, input.article);
    const article = await this.ensureArticle(site.id, input.article);
    if (article.locked && !isModerator(actor)) throw new DomainError('locked', 'Comments on this article are closed');
    const user = await this.models.User.findOne({ _id: userKey(site.id, authorId) }).lean();
    if (user?.state === 'banned' && (!user.bannedUntil || user.bannedUntil > new Date())) {
      throw forbidden(user.bannedUntil ? `You are banned from commenting until ${user.bannedUntil.toISOString()}` : 'You are banned from commenting on this site');
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

    // The key is claimed before the comment exists: of two sends at once, one stores it.
    const _id = new Types.ObjectId();
    const now = new Date();
    try {
      await insertGrouped(this.models.PostKey, { _id: key, commentId: _id, at: now });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Another send of this post holds the key: its comment, or (that send died) a free key.
      const again = await this.existingPost(key, by);
      if (again) return again;
      if (takeover) throw new DomainError('conflict', 'This post is being stored by another request; send it again');
      return this.postOnce(caller, input, true);
    }
    let doc: CommentDoc;
    try {
      doc = await insertGrouped(this.models.Comment, {
        _id,
        site: site.id,
        article: input.article,
        ...place,
        author: { id: authorId, name: actor.name!, ...(actor.picture ? { picture: actor.picture } : {}), ...(actor.guest ? { guest: true } : {}) },
        clientId: input.clientId,
        body: body.html,
        text: body.text,
        status: outcome.status,
        visible: outcome.status === 'published',
        rev: 1,
        reasons: outcome.reasons,
        createdAt: now,
      });
    } catch (err) {
      await this.models.PostKey.deleteOne({ _id: key, commentId: _id }).catch(() => undefined);
      throw err;
    }
    // Still ours? A retry takes over a key whose comment took too long to appear; then this
    // copy was never announced, and goes.
    const owner = await this.models.PostKey.findOne({ _id: key }).lean();
    if (!owner || !owner.commentId.equals(_id)) {
      await this.models.Comment.deleteOne({ _id, rev: 1 });
      const again = await this.existingPost(key, by);
      if (!again) throw new DomainError('conflict', 'This post is being stored by another request; send it again');
      return again;
    }
    const held = doc.status === 'pending' ? this.hooks.held?.(doc, user) : undefined;

    await this.models.User.updateOne(
      { _id: userKey(site.id, authorId) },
      { $set: { name: actor.name }, $setOnInsert: { site: site.id, userId: authorId, createdAt: now } },
      { upsert: true },
    ).catch((err) => { if (!isDuplicateKey(err)) throw err; });
    if (outcome.status !== 'rejected') await this.rememberText(site.id, authorId, body.text, now);

    // Counters and `comment:created`, once, by whoever claims the first revision (this request,
    // or a retry on another node if this one dies first).
    doc = (await this.lifecycle.introduce(doc, by)) ?? doc;
    await held;
    return { comment: commentView(doc, []), created: true };
  }

  async editComment(actor: Actor, id: string, rawBody: string): Promise<Comment> {
    const mod = isModerator(actor);
    const body = this.checkedBody(actor, rawBody);
    const change = await this.lifecycle.change(actor.site.id, toObjectId(id, 'id', 'not_found'), who(actor), async (doc) => {
      if (doc.status === 'deleted' || doc.status === 'rejected') throw notFound('No such comment');
      if (!mod) {
        if (!actor.userId || actor.guest || doc.author.id !== actor.userId) throw forbidden('Only the author or a moderator can edit this comment');
        if (Date.now() - doc.createdAt.getTime() > actor.site.editWindowSec * 1000) throw forbidden('The edit window for this comment has closed');
      }
      const article = await this.ensureArticle(doc.site, doc.article);
      if (article.locked && !mod) throw new DomainError('locked', 'Comments on this article are closed');
      let status = doc.status;
      let reasons = doc.reasons;
      if (!mod) {
        const user = await this.models.User.findOne({ _id: userKey(doc.site, doc.author.id) }).lean();
        const outcome = await runPipeline(this.phases, { actor, article, body, user, edit: true, recentSameText: async () => false });
        this.observer.decided?.(outcome.status, outcome.reasons, true);
        if (outcome.status === 'rejected') throw badRequest(outcome.message ?? `Edit refused (${outcome.reasons.join(', ')})`);
        if (outcome.status === 'pending') {
          status = 'pending';
          reasons = outcome.reasons;
        }
      }
      return { action: 'edit', set: { body: body.html, text: body.text, editedAt: new Date(), status, reasons } };
    });
    const { before, after } = change!;
    if (before.status === 'pending') await this.hooks.requeued?.(after);
    else if (after.status === 'pending') await this.hooks.held?.(after);
    if (mod && before.author.id !== actor.userId) await this.hooks.moderatorChanged?.(actor, change!);
    return commentView(after);
  }

  async deleteComment(actor: Actor, id: string): Promise<void> {
    const change = await this.lifecycle.change(
      actor.site.id,
      toObjectId(id, 'id', 'not_found'),
      who(actor),
      (doc) => {
        if (doc.status === 'deleted') return null;
        if (!isModerator(actor) && (!actor.userId || actor.guest || doc.author.id !== actor.userId)) {
          throw forbidden('Only the author or a moderator can delete this comment');
        }
        return { action: 'delete', set: { status: 'deleted' } };
      },
      { goneIsDone: true },
    );
    if (!change) return;
    const { before } = change;
    await this.forgetText(before); // saying it again after deleting it is not a duplicate
    if (before.status === 'pending' || before.flagCount > 0) await this.hooks.withdrawn?.(before);
    if (isModerator(actor) && before.author.id !== actor.userId) await this.hooks.moderatorChanged?.(actor, change);
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
    const _id = articleKey(site, article);
    const found = await this.models.Article.findOne({ _id }).lean<ArticleDoc>();
    if (found) return found;
    try {
      await this.models.Article.create({ _id, site, article });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    return (await this.models.Article.findOne({ _id }).lean<ArticleDoc>())!;
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

  /**
   * The comment an earlier send of this post stored, as a retry's answer; null when there is
   * none (or its send died before storing it: the key is then freed for this one).
   */
  private async existingPost(key: string, by: { id: string; name: string }): Promise<{ comment: Comment; created: false } | null> {
    for (;;) {
      const claim = await this.models.PostKey.findOne({ _id: key }).lean();
      if (!claim) return null;
      const found = await this.models.Comment.findOne({ _id: claim.commentId }).lean<CommentDoc>();
      if (found) {
        const done = found.status === 'published' && found.seq === 0 ? await this.lifecycle.announceStranded(found, by) : found;
        return { comment: commentView(done), created: false };
      }
      // Claimed but not stored yet: the first send is on it, or died in between.
      if (Date.now() - claim.at.getTime() > ABANDONED_POST_MS) {
        await this.models.PostKey.deleteOne({ _id: key, commentId: claim.commentId, at: claim.at });
        return null;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
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

  /** Saying it again after it was deleted (or erased) is not a duplicate. */
  async forgetText(doc: CommentDoc): Promise<void> {
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

const who = (actor: Actor) => ({ id: actor.userId ?? '', name: actor.name ?? '' });

function textKey(site: string, authorId: string, text: string): string {
  return createHash('sha256').update(`${site}\u0000${authorId}\u0000${text}`).digest('base64url');
}
