// Claims on a comment's next revision. A writer that read revision n inserts the record
// `<id>:<n+1>`; the primary key lets exactly one insert succeed, on MongoDB and on FerretDB
// alike, so exactly one writer changes the comment and does the side effects. A claim whose
// write failed is released by its writer; one whose writer died (the comment never reached
// that revision) is released by the next writer once it is clearly abandoned.
import { isDuplicateKey } from '../../store/connection';
import { insertGrouped } from '../../store/group-commit';
import type { Models, RevisionDoc } from '../../store/models';

/** A claim older than this, on a comment that never reached it, is taken as abandoned. */
export const ABANDONED_CLAIM_MS = 5000;

/** A claim is the revision record without its key and time. */
export type ClaimInput = Omit<RevisionDoc, '_id' | 'at'>;

export const revisionKey = (commentId: string, rev: number) => `${commentId}:${rev}`;

export class Revisions {
  constructor(private readonly models: Models) {}

  /** True when this caller now owns revision `rev`; false when another writer does. */
  async claim(input: ClaimInput): Promise<boolean> {
    try {
      await insertGrouped(this.models.Revision, { _id: revisionKey(input.commentId, input.rev), ...input, at: new Date() });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /** Gives a claim back (its write failed), so the comment is not stuck at the old revision. */
  async release(commentId: string, rev: number): Promise<void> {
    await this.models.Revision.deleteOne({ _id: revisionKey(commentId, rev) });
  }

  /**
   * After losing a claim on `rev`: if the comment is still below `rev` and the claim is old,
   * its writer died between claiming and writing; release it so the next try can win.
   * Returns true when something was released.
   */
  async releaseIfAbandoned(commentId: string, rev: number, now = Date.now()): Promise<boolean> {
    const claim = await this.models.Revision.findOne({ _id: revisionKey(commentId, rev) }).lean<RevisionDoc>();
    if (!claim || now - claim.at.getTime() < ABANDONED_CLAIM_MS) return false;
    const r = await this.models.Revision.deleteOne({ _id: claim._id, at: claim.at });
    return r.deletedCount === 1;
  }

  /** Marks a comment removed outright, so a late or repeated delete can tell it from one that never existed. */
  async markGone(input: Omit<ClaimInput, 'rev' | 'to'>): Promise<void> {
    await this.models.Revision.create({ _id: `${input.commentId}:gone`, ...input, rev: 0, to: null, at: new Date() }).catch((err) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }

  async isGone(commentId: string): Promise<boolean> {
    return (await this.models.Revision.exists({ _id: `${commentId}:gone` })) !== null;
  }

  async get(commentId: string, rev: number): Promise<RevisionDoc | null> {
    return this.models.Revision.findOne({ _id: revisionKey(commentId, rev) }).lean<RevisionDoc>();
  }
}
