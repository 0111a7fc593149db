// A comment's lifecycle: the one way its state or body changes. Each change reads the comment,
// lets the caller plan the move from what it found (checking who may do what), claims the next
// revision, writes the comment only where it still has the revision it was read at, and then
// does the side effects, once, as the winner. A loser reads again and plans again (or, when the
// caller named the revision it saw, answers 409). docs/ARCHITECTURE.md, "A comment's lifecycle".
import type { CommentDoc, Models, Types } from '../../store/models';
import { DomainError, conflict, notFound } from '../errors';
import type { EventLog } from '../events';
import type { Fanout } from '../fanout';
import { ThreadEffects } from './effects';
import { ThreadRecount } from './recount';
import { ABANDONED_CLAIM_MS, Revisions } from './revisions';
import { allowed, staysVisible, type Action } from './transitions';

export { readerClass, staysVisible, TRANSITIONS, type Action, type ReaderClass } from './transitions';
export { ThreadRecount, type RecountResult } from './recount';

/** What the caller wants done to the comment it was shown; null: nothing to do. */
export interface Plan {
  action: Exclude<Action, 'post'>;
  /** Fields to change: status, body, text, reasons, editedAt, flagCount, decidedBy, decision. */
  set?: Partial<Pick<CommentDoc, 'status' | 'body' | 'text' | 'reasons' | 'editedAt' | 'flagCount' | 'decidedBy' | 'decision'>>;
}

export interface Change {
  before: CommentDoc;
  /** The comment as it is now (status `deleted` and `removed` when it is gone outright). */
  after: CommentDoc;
  removed: boolean;
  action: Plan['action'];
}

export interface ChangeOptions {
  /** The revision the caller saw: any other current revision answers 409. */
  expectRev?: number;
  /** A comment found gone on a second read counts as done (deletes). */
  goneIsDone?: boolean;
  /**
   * Decide on what was read, or not at all: losing the revision to another writer answers 409
   * instead of reading and planning again (a moderator decided on what the console showed).
   */
  once?: boolean;
  /** Why (a moderator's reason), passed on to the watchers. */
  reason?: string;
}

export type Actor = { id: string; name: string };

/**
 * A change that happened, told to whoever watches the lifecycle (webhooks, notifications,
 * statistics) once, by the writer that won it, after its counters and events. `before` is null
 * for a new comment; `after` is null for a comment removed outright.
 */
export interface Transition {
  site: string;
  article: string;
  action: Action;
  by: Actor;
  before: CommentDoc | null;
  after: CommentDoc | null;
  /** Why, when the one who made the change said (a moderator's decision). */
  reason?: string;
}

/**
 * A watcher may answer a promise: the change is answered only once it settles, so what a
 * watcher stores durably (webhook deliveries) is stored for every acknowledged change.
 */
export type TransitionWatcher = (t: Transition) => void | Promise<void>;

/** Reads, plans and claims at most this many times before answering 409. */
const MAX_TRIES = 8;

export class CommentLifecycle {
  readonly revisions: Revisions;
  readonly recounts: ThreadRecount;
  private readonly effects: ThreadEffects;
  /** Told of every change won here; a watcher that throws does not undo or stop the change. */
  readonly watchers: TransitionWatcher[] = [];
  /** Changes in flight per article: a second one at once makes the article a recount candidate. */
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly models: Models,
    events: EventLog,
    fanout: Fanout,
    onError: (err: unknown) => void,
  ) {
    this.revisions = new Revisions(models);
    this.recounts = new ThreadRecount(models, events, fanout, onError);
    this.effects = new ThreadEffects(models, events, fanout, { drifted: (site, article) => this.recounts.schedule(site, article) });
  }

  /**
   * A new comment was stored (revision 1): claims that first revision and, when won, does what
   * a new comment does (counters and `comment:created` when it is published). False: another
   * caller (a retry of the same post on another node) claimed it and announces it.
   */
  async introduce(doc: CommentDoc, by: Actor): Promise<CommentDoc | null> {
    const won = await this.revisions.claim({ site: doc.site, commentId: String(doc._id), rev: 1, action: 'post', by, from: null, to: doc.status });
    if (!won) return null;
    const done = await this.track(doc, () => this.effects.apply(null, doc));
    await this.tell({ site: doc.site, article: doc.article, action: 'post', by, before: null, after: done ?? doc });
    return done;
  }

  /**
   * A retry found its post stored but never announced (seq 0). Waits while the claim of its
   * first revision is young (the first node is still on it); takes it over once abandoned.
   */
  async announceStranded(doc: CommentDoc, by: Actor, pollMs = 200): Promise<CommentDoc> {
    const id = String(doc._id);
    const deadline = Date.now() + ABANDONED_CLAIM_MS + 2000;
    for (;;) {
      const now = await this.models.Comment.findOne({ _id: doc._id }).lean<CommentDoc>();
      if (!now || now.seq !== 0 || now.status !== 'published' || now.rev !== 1) return now ?? doc;
      const claimed = await this.revisions.get(id, 1);
      if (!claimed || (await this.revisions.releaseIfAbandoned(id, 1))) {
        const announced = await this.introduce(now, by);
        if (announced) return announced;
      }
      if (Date.now() > deadline) return now;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /** Runs one change of the comment `id` of `site`, as described above. */
  async change(site: string, id: Types.ObjectId, by: Actor, plan: (doc: CommentDoc) => Plan | null | Promise<Plan | null>, opts: ChangeOptions = {}): Promise<Change | null> {
    let expectRev = opts.expectRev;
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      const doc = await this.models.Comment.findOne({ _id: id }).lean<CommentDoc>();
      if (!doc || doc.site !== site) {
        if (!doc && opts.goneIsDone && (attempt > 0 || (await this.revisions.isGone(String(id))))) return null;
        throw notFound('No such comment');
      }
      const rev = doc.rev ?? 1;
      if (expectRev !== undefined && expectRev !== rev) {
        throw conflict(`This comment has changed since it was read (revision ${expectRev}, now ${rev})`);
      }
      if (opts.once) expectRev = rev;
      const wanted = await plan(doc);
      if (!wanted) return null;
      if (!allowed(wanted.action, doc.status)) throw conflict(`A ${doc.status} comment cannot be ${pastTense(wanted.action)}`);

      const status = wanted.set?.status ?? doc.status;
      const visible = staysVisible(status, doc.replyCount);
      const removed = status === 'deleted' && !visible;
      const set: Partial<CommentDoc> = { ...wanted.set, visible, rev: rev + 1 };
      if (status === 'deleted') Object.assign(set, { body: '', text: '' });

      const key = String(doc._id);
      if (!(await this.revisions.claim({ site, commentId: key, rev: rev + 1, action: wanted.action, by, from: doc.status, to: status }))) {
        this.recounts.schedule(doc.site, doc.article);
        const freed = await this.revisions.releaseIfAbandoned(key, rev + 1);
        if (expectRev !== undefined && !freed) throw conflict('Someone else changed this comment first');
        continue;
      }
      let written: boolean;
      try {
        const r = removed
          ? await this.models.Comment.deleteOne({ _id: doc._id, rev: doc.rev })
          : await this.models.Comment.updateOne({ _id: doc._id, rev: doc.rev }, { $set: set });
        written = ('deletedCount' in r ? r.deletedCount : r.matchedCount) === 1;
      } catch (err) {
        await this.revisions.release(key, rev + 1).catch(() => undefined);
        throw err;
      }
      if (!written) {
        await this.revisions.release(key, rev + 1);
        continue;
      }
      if (removed) await this.revisions.markGone({ site, commentId: key, action: wanted.action, by, from: doc.status });
      const after = { ...doc, ...set } as CommentDoc;
      const done = await this.track(doc, () => this.effects.apply(doc, removed ? null : after));
      await this.tell({ site, article: doc.article, action: wanted.action, by, before: doc, after: removed ? null : (done ?? after), ...(opts.reason ? { reason: opts.reason } : {}) });
      return { before: doc, after: done ?? after, removed, action: wanted.action };
    }
    throw new DomainError('conflict', 'This comment is changing too fast; try again');
  }

  /** Runs side effects, noting articles that have several changes in flight at once. */
  private async track<T>(doc: CommentDoc, fn: () => Promise<T>): Promise<T> {
    const key = `${doc.site}\u0000${doc.article}`;
    const n = (this.inFlight.get(key) ?? 0) + 1;
    this.inFlight.set(key, n);
    if (n > 1) this.recounts.schedule(doc.site, doc.article);
    try {
      return await fn();
    } finally {
      const left = this.inFlight.get(key)! - 1;
      if (left === 0) this.inFlight.delete(key);
      else this.inFlight.set(key, left);
    }
  }

  private async tell(t: Transition): Promise<void> {
    // A watcher's failure is its own (it logs); the change stands.
    await Promise.allSettled(this.watchers.map(async (watch) => watch(t)));
  }

  close(): void {
    this.recounts.close();
  }
}

function pastTense(action: Plan['action']): string {
  return { publish: 'published', edit: 'edited', delete: 'deleted', approve: 'approved', reject: 'rejected', spam: 'marked as spam', hide: 'hidden' }[action];
}
