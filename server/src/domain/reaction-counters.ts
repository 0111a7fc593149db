// Reaction totals kept on the target's document (a comment or an article), in step with the
// reaction documents, which are the truth. Writes move the totals with $inc; a recount from
// the reaction documents repairs whatever concurrent writers on other connections (FerretDB's
// $inc is read-modify-write) or an interrupted write left behind. docs/DATA.md, "Counters".
import type { ReactionTarget, ReactionTotals } from '../../../client-sdk/src/protocol';
import { isDuplicateKey } from '../store/connection';
import { Types, articleKey, trusted, type Models } from '../store/models';
import { notFound } from './errors';

/** A target as stored: where its totals live and which article's readers see them. */
export interface LoadedTarget {
  site: string;
  article: string;
  /** `c:<commentId>` or `a:<article>`, the `target` field of reaction documents. */
  key: string;
  wire: ReactionTarget;
  comment: Types.ObjectId | null;
}

export const targetKey = (t: ReactionTarget) => ('comment' in t ? `c:${t.comment}` : `a:${t.article}`);

/** Totals without the kinds that fell to zero. */
export function positiveTotals(raw: Record<string, number> | null | undefined): ReactionTotals {
  const out: ReactionTotals = {};
  for (const [k, n] of Object.entries(raw ?? {})) if (typeof n === 'number' && n > 0) out[k] = n;
  return out;
}

export function sameTotals(a: ReactionTotals | undefined, b: ReactionTotals): boolean {
  if (!a) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

const sum = (t: ReactionTotals) => Object.values(t).reduce((s, n) => s + n, 0);

export class ReactionCounters {
  constructor(private readonly models: Models) {}

  /** The target, which must exist and be visible: a published comment, or any article. */
  async load(site: string, wire: ReactionTarget): Promise<LoadedTarget> {
    if ('comment' in wire) {
      const _id = new Types.ObjectId(wire.comment);
      const doc = await this.models.Comment.findOne({ _id, site }, { article: 1, status: 1 }).lean();
      if (!doc || doc.status !== 'published') throw notFound('No such comment');
      return { site, article: doc.article, key: targetKey(wire), wire, comment: _id };
    }
    const _id = articleKey(site, wire.article);
    const found = await this.models.Article.findOne({ _id }, { _id: 1 }).lean();
    if (!found) {
      await this.models.Article.create({ _id, site, article: wire.article }).catch((err) => {
        if (!isDuplicateKey(err)) throw err;
      });
    }
    return { site, article: wire.article, key: targetKey(wire), wire, comment: null };
  }

  async totals(t: LoadedTarget): Promise<ReactionTotals> {
    const doc = t.comment
      ? await this.models.Comment.findOne({ _id: t.comment }, { reactions: 1 }).lean()
      : await this.models.Article.findOne({ _id: articleKey(t.site, t.article) }, { reactions: 1 }).lean();
    return positiveTotals(doc?.reactions);
  }

  /**
   * Moves the totals by `deltas` (kind → signed change) in one update. A comment's score
   * moves with its reaction total. A decrement that would take a counter below zero means the
   * counter had drifted: nothing is applied and the target is recounted instead.
   */
  /** Told of reactions newly stored on a target (statistics); a watcher that throws changes nothing. */
  readonly watchers: ((site: string, article: string, added: number) => void)[] = [];

  added(t: LoadedTarget, n: number): void {
    if (n <= 0) return;
    for (const w of this.watchers) {
      try {
        w(t.site, t.article, n);
      } catch {
        // a watcher's failure is its own
      }
    }
  }

  async apply(t: LoadedTarget, deltas: Record<string, number>): Promise<void> {
    const inc: Record<string, number> = {};
    const guard: Record<string, unknown> = {};
    let net = 0;
    for (const [kind, n] of Object.entries(deltas)) {
      if (n === 0) continue;
      inc[`reactions.${kind}`] = n;
      if (n < 0) guard[`reactions.${kind}`] = trusted({ $gte: -n });
      net += n;
    }
    if (Object.keys(inc).length === 0) return;
    let matched: number;
    if (t.comment) {
      if (net !== 0) inc.score = net;
      matched = (await this.models.Comment.updateOne({ _id: t.comment, ...guard }, { $inc: inc })).matchedCount;
    } else {
      matched = (await this.models.Article.updateOne({ _id: articleKey(t.site, t.article), ...guard }, { $inc: inc })).matchedCount;
    }
    if (matched === 0) await this.recount(t);
  }

  /**
   * Counts the target's reaction documents and stores the result when the kept totals (or a
   * comment's score = reactions + replies) differ. Returns the exact totals.
   */
  async recount(t: LoadedTarget): Promise<ReactionTotals> {
    const rows = await this.models.Reaction.aggregate<{ _id: string; n: number }>([
      { $match: { site: t.site, target: t.key } },
      { $group: { _id: '$kind', n: { $sum: 1 } } },
    ]);
    const exact = positiveTotals(Object.fromEntries(rows.map((r) => [r._id, r.n])));
    if (t.comment) {
      const doc = await this.models.Comment.findOne({ _id: t.comment }, { reactions: 1, replyCount: 1, score: 1 }).lean();
      if (!doc) return exact;
      const score = sum(exact) + (doc.replyCount ?? 0);
      if (!sameTotals(positiveTotals(doc.reactions), exact) || doc.score !== score) {
        await this.models.Comment.updateOne({ _id: t.comment }, { $set: { reactions: exact, score } });
      }
    } else {
      const doc = await this.models.Article.findOne({ _id: articleKey(t.site, t.article) }, { reactions: 1 }).lean();
      if (doc && !sameTotals(positiveTotals(doc.reactions), exact)) {
        await this.models.Article.updateOne({ _id: articleKey(t.site, t.article) }, { $set: { reactions: exact } });
      }
    }
    return exact;
  }
}
