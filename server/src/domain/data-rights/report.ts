// Everything stored about one reader of a site, as one JSON document written piece by piece
// (a prolific reader's comments are read with a cursor, never all at once): their record and
// the moderators' actions on them, their comments, their reactions, the flags they filed and
// their notifications.
import { userKey, type CommentDoc, type ModLogDoc, type Models, type ReactionDoc, type UserDoc } from '../../store/models';
import { exportLine } from '../exports';

type Piece = AsyncGenerator<string>;

const json = (v: unknown) => JSON.stringify(v);

export async function* userDataReport(
  models: Models,
  site: string,
  userId: string,
  notifications?: { all(site: string, userId: string): AsyncIterable<unknown> },
): Piece {
  const user = await models.User.findOne({ _id: userKey(site, userId) }).lean<UserDoc>();
  yield `{"site":${json(site)},"userId":${json(userId)},"generatedAt":${json(new Date().toISOString())}`;
  yield `,"user":${json(user ? userRecord(user) : null)}`;
  yield ',"moderation":';
  yield* array(moderation(models, site, userId));
  yield ',"comments":';
  yield* array(comments(models, site, userId));
  yield ',"reactions":';
  yield* array(reactions(models, site, userId));
  yield ',"flags":';
  yield* array(flags(models, site, userId));
  if (notifications) {
    yield ',"notifications":';
    yield* array(notifications.all(site, userId));
  }
  yield '}\n';
}

async function* array(items: AsyncIterable<unknown>): Piece {
  let first = true;
  for await (const item of items) {
    yield (first ? '[' : ',') + json(item);
    first = false;
  }
  yield first ? '[]' : ']';
}

function userRecord(u: UserDoc) {
  return {
    name: u.name,
    state: u.state,
    bannedUntil: u.bannedUntil ? u.bannedUntil.toISOString() : null,
    reason: u.reason,
    comments: u.comments,
    rejected: u.rejected,
    spam: u.spam,
    createdAt: u.createdAt ? u.createdAt.toISOString() : null,
  };
}

/** Moderators' actions on the reader (bans, premoderation, trust), without who took them. */
async function* moderation(models: Models, site: string, userId: string) {
  const cursor = models.ModLog.find({ site, 'target.user': userId }, { action: 1, reason: 1, at: 1 }).lean<ModLogDoc>().cursor();
  for await (const d of cursor) yield { action: d.action, reason: d.reason ?? null, at: d.at.toISOString() };
}

async function* comments(models: Models, site: string, userId: string) {
  const cursor = models.Comment.find({ site, 'author.id': userId }, { flags: 0, text: 0 }).lean<CommentDoc>().cursor({ batchSize: 200 });
  // As an export line has it (domain/exports.ts), with the moderation pipeline's reasons.
  for await (const d of cursor) yield { ...exportLine(d), reasons: d.reasons };
}

async function* reactions(models: Models, site: string, userId: string) {
  const cursor = models.Reaction.find({ site, userId }).lean<ReactionDoc>().cursor({ batchSize: 500 });
  for await (const r of cursor) yield { target: wireTarget(r.target), kind: r.kind, at: r.at.toISOString() };
}

/** The flags the reader filed, with the comment each is on. */
async function* flags(models: Models, site: string, userId: string) {
  const cursor = models.Comment.find({ site, 'flags.userId': userId }, { article: 1, flags: 1 }).lean<CommentDoc>().cursor({ batchSize: 200 });
  for await (const d of cursor) {
    for (const f of d.flags.filter((x) => x.userId === userId)) {
      yield { comment: String(d._id), article: d.article, reason: f.reason, ...(f.note ? { note: f.note } : {}), at: f.at.toISOString() };
    }
  }
}

/** `c:<id>` and `a:<article>` as the API names targets. */
export function wireTarget(key: string): { comment: string } | { article: string } {
  return key.startsWith('c:') ? { comment: key.slice(2) } : { article: key.slice(2) };
}
