// A reader's erasure. Their comments leave through the lifecycle, as deletes do (removed, or a
// tombstone without name or body while replies that readers see hang under it), so readers of
// the articles see it live and the counters stay exact; their reactions are withdrawn through
// the reaction service (totals corrected, readers told); the flags they filed are dropped;
// copies of their name and words elsewhere (event history, audit snapshots, revision records,
// a reply's "in answer to") are blanked; their record keeps only what holds a ban in force.
// Running it again finds nothing left and changes nothing.
import type { ReactionTarget } from '../../../../client-sdk/src/protocol';
import { Types, trusted, userKey, type CommentDoc, type Models, type UserDoc } from '../../store/models';
import type { Actor } from '../actor';
import type { CommentService } from '../comments';
import { DomainError } from '../errors';
import type { Moderation } from '../moderation-services';
import type { ReactionService } from '../reactions';
import { wireTarget } from './report';

export interface ErasureResult {
  userId: string;
  comments: { removed: number; tombstones: number };
  reactions: number;
  flags: number;
  /** `kept`: reduced to a ban or premoderation in force; `removed`; `none`: there was none. */
  record: 'kept' | 'removed' | 'none';
}

export interface ErasureDeps {
  models: Models;
  comments: CommentService;
  reactions: ReactionService;
  moderation: Moderation;
  /** The reader's notifications go, and others' notifications lose the reader's name and words. */
  notifications?: { forget(site: string, userId: string): Promise<void>; all(site: string, userId: string): AsyncIterable<unknown> };
}

/** Who the lifecycle's revision records name for these changes (not the reader). */
export const ERASURE = { id: 'erasure', name: 'erasure' };
const BLANK_AUTHOR = { id: '', name: '' };
const PARALLEL = 8;
/** Listings of the reader's comments after the first, for those posted meanwhile. */
const LATE_PASSES = 2;

export async function eraseUser(deps: ErasureDeps, by: Actor, userId: string): Promise<ErasureResult> {
  const site = by.site.id;
  const result: ErasureResult = { userId, comments: { removed: 0, tombstones: 0 }, reactions: 0, flags: 0, record: 'none' };
  await eraseWritten(deps, site, userId, result, true);
  result.reactions = await withdrawReactions(deps, by, userId);
  result.flags = await dropFlags(deps, site, userId);
  result.record = await reduceRecord(deps.models, site, userId);
  // A comment the reader posted while this ran was not in the first listing: it goes too.
  for (let pass = 0; pass < LATE_PASSES && (await eraseWritten(deps, site, userId, result)); pass++);
  await deps.notifications?.forget(site, userId);
  await deps.moderation.decisions.log.write(by, { action: 'user.erase', target: { user: userId }, reason: null });
  return result;
}

/**
 * The reader's comments and the copies of their name and words (the first time, also those
 * of changes they made to others' comments); false: there were no comments.
 */
async function eraseWritten(deps: ErasureDeps, site: string, userId: string, result: ErasureResult, first = false): Promise<boolean> {
  const { ids, articles } = await eraseComments(deps, site, userId, result);
  if (ids.length === 0 && !first) return false;
  await blankCopies(deps.models, site, userId, ids);
  // Held threads and stored first pages copied names that were blanked without an event.
  await deps.comments.reads.forget(site, articles);
  return true;
}

async function eraseComments(deps: ErasureDeps, site: string, userId: string, result: ErasureResult): Promise<{ ids: string[]; articles: string[] }> {
  const { models, comments, moderation } = deps;
  const docs = await models.Comment.find({ site, 'author.id': userId }, { _id: 1, article: 1 }).lean<Pick<CommentDoc, '_id' | 'article'>[]>();
  let queueChanged = false;
  for (const { _id } of docs) {
    const change = await comments.lifecycle
      .change(site, _id, ERASURE, (doc) => (doc.status === 'deleted' ? null : { action: 'delete', set: { status: 'deleted' } }), { goneIsDone: true })
      .catch((err) => {
        if (err instanceof DomainError && err.code === 'not_found') return null; // gone meanwhile
        throw err;
      });
    if (change) {
      await comments.forgetText(change.before);
      if (change.before.status === 'pending' || change.before.flagCount > 0) {
        moderation.decisions.queue.removed(site, String(_id), '', 'deleted');
        queueChanged = true;
      }
    }
    // What stays is a tombstone: it keeps neither name nor body.
    const left = await models.Comment.updateOne({ _id, 'author.id': userId }, { $set: { author: BLANK_AUTHOR, body: '', text: '' } });
    if (left.matchedCount) result.comments.tombstones++;
    else if (change?.removed) result.comments.removed++;
  }
  if (queueChanged) await moderation.decisions.queue.refreshCounts(site);
  return { ids: docs.map((d) => String(d._id)), articles: [...new Set(docs.map((d) => d.article))] };
}

/** The reader's name and words where other records copied them. */
async function blankCopies(models: Models, site: string, userId: string, ids: string[]): Promise<void> {
  await models.Event.updateMany({ site, 'payload.author.id': userId }, { $set: { 'payload.author': BLANK_AUTHOR, 'payload.body': '' } });
  await models.Revision.updateMany({ site, 'by.id': userId }, { $set: { by: BLANK_AUTHOR } });
  for (let i = 0; i < ids.length; i += 500) {
    const some = ids.slice(i, i + 500);
    await models.Comment.updateMany({ site, 'replyTo.id': trusted({ $in: some }) }, { $set: { 'replyTo.name': '' } });
    for (const side of ['before', 'after'] as const) {
      await models.ModLog.updateMany({ site, 'target.comment': trusted({ $in: some }), [`${side}.body`]: trusted({ $exists: true }) }, { $set: { [`${side}.body`]: '' } });
    }
    await models.PostKey.deleteMany({ commentId: trusted({ $in: some.map((id) => new Types.ObjectId(id)) }) });
  }
}

/**
 * Each reaction withdrawn as the reader would (batched with others on its target, totals
 * moved and sent to readers); one the service refuses (its kind is no longer the site's, its
 * comment is hidden) is deleted and its target recounted.
 */
async function withdrawReactions(deps: ErasureDeps, by: Actor, userId: string): Promise<number> {
  const { models, reactions } = deps;
  const site = by.site;
  const list = await models.Reaction.find({ site: site.id, userId }, { target: 1, kind: 1 }).lean();
  const reader: Actor = { site, userId, name: '', role: 'commenter', guest: userId.startsWith('g_'), ip: '' };
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const r = list[next++]!;
      const target = wireTarget(r.target) as ReactionTarget;
      try {
        await reactions.set(reader, { target, kind: r.kind, on: false });
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        await models.Reaction.deleteOne({ site: site.id, target: r.target, userId, kind: r.kind });
        await recountTarget(deps, site.id, r.target);
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return list.length;
}

async function recountTarget(deps: ErasureDeps, site: string, key: string): Promise<void> {
  const wire = wireTarget(key);
  if ('article' in wire) {
    await deps.reactions.counters.recount({ site, article: wire.article, key, wire, comment: null });
    return;
  }
  const _id = new Types.ObjectId(wire.comment);
  const doc = await deps.models.Comment.findOne({ _id }, { article: 1 }).lean();
  if (doc) await deps.reactions.counters.recount({ site, article: doc.article, key, wire, comment: _id });
}

/** The flags the reader filed; an open one (since the last decision) leaves the count too. */
async function dropFlags(deps: ErasureDeps, site: string, userId: string): Promise<number> {
  const { models, moderation } = deps;
  const docs = await models.Comment.find({ site, 'flags.userId': userId }, { flags: 1, flagCount: 1 }).lean<Pick<CommentDoc, '_id' | 'flags' | 'flagCount'>[]>();
  let dropped = 0;
  for (const d of docs) {
    const firstOpen = d.flags.length - d.flagCount; // open flags are the last flagCount ones
    const mine = d.flags.filter((f) => f.userId === userId);
    const openMine = d.flags.filter((f, i) => f.userId === userId && i >= firstOpen).length;
    const filter: Record<string, unknown> = { _id: d._id };
    if (openMine) filter.flagCount = trusted({ $gte: openMine });
    const r = await models.Comment.updateOne(filter, { $pullAll: { flags: mine }, ...(openMine ? { $inc: { flagCount: -openMine } } : {}) });
    if (r.modifiedCount) dropped += mine.length;
  }
  if (dropped) await moderation.decisions.queue.refreshCounts(site);
  return dropped;
}

/** A ban or premoderation in force stays (without name, counts or reason); otherwise it goes. */
async function reduceRecord(models: Models, site: string, userId: string): Promise<ErasureResult['record']> {
  const _id = userKey(site, userId);
  const u = await models.User.findOne({ _id }).lean<UserDoc>();
  if (!u) return 'none';
  const banned = u.state === 'banned' && (!u.bannedUntil || u.bannedUntil > new Date());
  if (banned || u.state === 'premod') {
    await models.User.updateOne({ _id }, { $set: { name: '', comments: 0, rejected: 0, spam: 0, reason: null } });
    return 'kept';
  }
  await models.User.deleteOne({ _id });
  return 'removed';
}
