// A signed-in reader's notifications: told by the comment lifecycle's watchers (plan.ts says
// who hears of what), stored once per reader under a deterministic `_id` (keys.ts), kept to
// the newest CAP and for `retentionDays`, pushed live to every open socket of the reader, and
// read and marked read over HTTP. docs/DATA.md, "Notifications", says what serves each query.
import type { Notification, NotificationPage, NotificationsRead } from '../../../../client-sdk/src/protocol';
import { isDuplicateKey } from '../../store/connection';
import { trusted, type CommentDoc, type Models } from '../../store/models';
import type { NotificationDoc, NotificationModels } from '../../store/notification-models';
import type { Actor } from '../actor';
import { DomainError } from '../errors';
import { revisionKey } from '../lifecycle/revisions';
import type { Transition } from '../lifecycle';
import { idOfKey, inboxKey, notificationId, notificationKey, range } from './keys';
import { plan, type Notice } from './plan';

export { NotificationId } from './keys';

/** Notifications kept per reader (the oldest go beyond it). */
export const CAP = 200;
/** A reader's notifications are trimmed back to CAP once this many more have arrived. */
const TRIM_EVERY = 20;
const EXCERPT_CHARS = 140;
/** Tries of storing one notification while the database is away (1 s, 2 s, 4 s between). */
const STORE_TRIES = 4;

/** Sends to every open socket of one reader, on every node (realtime/user-rooms.ts). */
export interface UserFanout {
  toUser<K extends 'notification' | 'notification:read'>(site: string, user: string, name: K, payload: K extends 'notification' ? Notification : NotificationsRead): void;
}

export interface NotificationOptions {
  retentionDays: number;
  onError: (err: unknown) => void;
}

export class NotificationService {
  constructor(
    private readonly models: Models & NotificationModels,
    private readonly fanout: UserFanout,
    private readonly o: NotificationOptions,
  ) {}

  /** Notices being stored now (the watcher does not hold up the change it watches). */
  private readonly inFlight = new Set<Promise<unknown>>();

  /** The lifecycle watcher: works out the notices of a change and stores and sends each. */
  watch(t: Transition): void {
    const work = this.notify(t).catch(this.o.onError);
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Resolves once every notice being stored now is stored (a graceful stop waits for it). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async notify(t: Transition): Promise<Notification[]> {
    const notices = await plan(t, (id) => this.models.Comment.findOne({ _id: id }).lean<CommentDoc>());
    if (notices.length === 0) return [];
    const doc = (t.after ?? t.before)!;
    const rev = t.after?.rev ?? (t.action === 'post' ? 1 : doc.rev + 1);
    const claim = await this.models.Revision.findOne({ _id: revisionKey(String(doc._id), rev) }).lean();
    const at = claim?.at ?? new Date();
    const sent: Notification[] = [];
    for (const notice of notices) {
      const n = await this.store(t.site, notice, at, rev);
      if (n) sent.push(n);
    }
    return sent;
  }

  /** A reader's notifications, newest first, with the unread count. */
  async list(actor: Actor, opts: { cursor?: string; limit?: number }): Promise<NotificationPage> {
    const { site, user } = reader(actor);
    const limit = opts.limit ?? 20;
    const inbox = await this.models.Inbox.findOne({ _id: inboxKey(site, user) }).lean();
    const readUpTo = inbox?.readUpTo ?? '';
    const docs = await this.models.Notification.find({ _id: trusted(range(site, user, { since: this.oldest(), before: opts.cursor })) })
      .sort({ _id: -1 })
      .limit(limit + 1)
      .lean<NotificationDoc[]>();
    const items = docs.slice(0, limit).map((d) => view(d, readUpTo));
    let unread = inbox?.unread ?? 0;
    // A first page that reaches a read item, or the end, holds every unread one: the exact
    // count, which also mends a count a lost `$inc` left behind (FerretDB).
    const unreadHere = items.filter((n) => !n.read).length;
    if (!opts.cursor && (unreadHere < items.length || docs.length <= limit) && unreadHere !== unread) {
      unread = unreadHere;
      if (inbox) await this.models.Inbox.updateOne({ _id: inbox._id }, { $set: { unread } });
    }
    return { items, unread: Math.max(unread, unreadHere), nextCursor: docs.length > limit ? items[items.length - 1]!.id : null };
  }

  /** The unread count alone (the inbox, by `_id`): what a badge needs. */
  async unread(actor: Actor): Promise<NotificationsRead> {
    const { site, user } = reader(actor);
    const inbox = await this.models.Inbox.findOne({ _id: inboxKey(site, user) }).lean();
    return { upTo: inbox?.readUpTo ?? '', unread: inbox?.unread ?? 0 };
  }

  /**
   * Marks everything up to `upTo` read; every tab of the reader hears of it. The mark never
   * moves back, nor past the newest notification stored (a mark ahead of the clock would
   * swallow what comes next). Marking all read counts nothing; marking part counts the rest.
   */
  async markRead(actor: Actor, upTo: string): Promise<NotificationsRead> {
    const { site, user } = reader(actor);
    const key = inboxKey(site, user);
    const before = await this.models.Inbox.findOne({ _id: key }).lean();
    if (!before?.newest) return { upTo: before?.readUpTo ?? '', unread: 0 };
    const mark = upTo < before.newest ? upTo : before.newest;
    await this.models.Inbox.updateOne({ _id: key }, { $max: { readUpTo: mark } });
    const readUpTo = mark > before.readUpTo ? mark : before.readUpTo;
    const unread =
      readUpTo >= before.newest ? 0 : await this.models.Notification.countDocuments({ _id: trusted(range(site, user, { since: this.oldest(), after: readUpTo })) });
    await this.models.Inbox.updateOne({ _id: key }, { $set: { unread } });
    const read = { upTo: readUpTo, unread };
    this.fanout.toUser(site, user, 'notification:read', read);
    return read;
  }

  /** Every notification the reader has (a data report), oldest first, read with a cursor. */
  async *all(site: string, user: string): AsyncGenerator<Notification> {
    const inbox = await this.models.Inbox.findOne({ _id: inboxKey(site, user) }).lean();
    const cursor = this.models.Notification.find({ _id: trusted(range(site, user, { since: new Date(0) })) })
      .sort({ _id: 1 })
      .lean<NotificationDoc[]>()
      .cursor({ batchSize: 200 });
    for await (const d of cursor) yield view(d as unknown as NotificationDoc, inbox?.readUpTo ?? '');
  }

  /** A reader's erasure: their notifications and inbox go; in others', their name and words are blanked. */
  async forget(site: string, user: string): Promise<void> {
    await this.models.Notification.deleteMany({ _id: trusted(range(site, user, { since: new Date(0) })) });
    await this.models.Inbox.deleteOne({ _id: inboxKey(site, user) });
    await this.models.Notification.updateMany({ site, 'by.id': user }, { $set: { by: { id: '', name: '' }, excerpt: '' } });
  }

  /** Deletes notifications past retention (FerretDB has no TTL index); the unread counts mend on the next read. */
  async sweep(now = Date.now()): Promise<number> {
    const r = await this.models.Notification.deleteMany({ at: trusted({ $lt: this.oldest(now) }) });
    return r.deletedCount ?? 0;
  }

  private oldest(now = Date.now()): Date {
    return new Date(now - this.o.retentionDays * 24 * 3600 * 1000);
  }

  /**
   * Stores one notification (null when it was stored before), counts it unread, sends it. Each
   * step is tried again while the database is away; an insert that finds its `_id` taken on a
   * later try had succeeded on an earlier one, and goes on.
   */
  private async store(site: string, notice: Notice, at: Date, rev: number): Promise<Notification | null> {
    const c = notice.comment;
    const id = notificationId(at, String(c._id), rev);
    const doc: NotificationDoc = {
      _id: notificationKey(site, notice.user, id),
      site,
      user: notice.user,
      kind: notice.kind,
      article: c.article,
      comment: String(c._id),
      parentId: notice.parentId ?? null,
      by: notice.kind === 'reply' ? stripUndefined({ id: c.author.id, name: c.author.name, picture: c.author.picture }) : null,
      excerpt: excerpt(c.text),
      reason: notice.reason ?? null,
      at,
    };
    let first = true;
    const fresh = await retrying(async () => {
      try {
        await this.models.Notification.create(doc);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return !first;
        first = false;
        throw err;
      }
    });
    if (!fresh) return null;
    // Two first upserts of one inbox at once: one of them meets the other's `_id`, and tries again.
    const inbox = await retrying(() =>
      this.models.Inbox.findOneAndUpdate(
        { _id: inboxKey(site, notice.user) },
        { $inc: { unread: 1, stored: 1 }, $max: { newest: id }, $setOnInsert: { readUpTo: '' } },
        { upsert: true, returnDocument: 'after' },
      ).lean(),
    );
    const erased = await this.erasedMeanwhile(notice);
    if (erased === 'recipient' || erased === 'gone') {
      await this.models.Notification.deleteOne({ _id: doc._id });
      // An erased reader's inbox, made again by the upsert above, goes too; a count left by a
      // notice of something gone mends on the next read of the list.
      if (erased === 'recipient') await this.models.Inbox.deleteOne({ _id: inboxKey(site, notice.user) });
      return null;
    }
    if (erased === 'author') {
      Object.assign(doc, { by: { id: '', name: '' }, excerpt: '' });
      await this.models.Notification.updateOne({ _id: doc._id }, { $set: { by: doc.by, excerpt: '' } });
    }
    const n = view(doc, inbox?.readUpTo ?? '');
    this.fanout.toUser(site, notice.user, 'notification', n);
    if (inbox && inbox.stored >= TRIM_EVERY) this.trim(site, notice.user).catch(this.o.onError);
    return n;
  }

  /**
   * A notice is stored after the change that caused it, so an erasure may have run in between:
   * it deletes the recipient's notifications and blanks the author's name and words in others'
   * before it could see this one. Read after storing (by `_id`): a comment whose author was
   * blanked, or is gone, says so. Erasure blanks or removes the comment before it forgets
   * notifications, so either it finds this one or this finds the comment already erased.
   * 'recipient': the notice's reader was erased; 'gone': what they were told of is gone;
   * 'author': the reply's author was erased.
   */
  private async erasedMeanwhile(notice: Notice): Promise<'recipient' | 'gone' | 'author' | null> {
    const c = notice.comment;
    const find = (id: string) => this.models.Comment.findOne({ _id: id }, { author: 1 }).lean<Pick<CommentDoc, 'author'>>();
    if (notice.kind === 'reply') {
      const parent = await find(notice.parentId!);
      if (!parent) return 'gone';
      if (parent.author.id !== notice.user) return 'recipient';
      const reply = await find(String(c._id));
      return !reply || reply.author.id !== c.author.id ? 'author' : null;
    }
    // The reader's own comment: a removal may have removed it outright, so only a blanked author tells.
    const own = await find(String(c._id));
    if (!own) return notice.kind === 'published' ? 'gone' : null;
    return own.author.id !== notice.user ? 'recipient' : null;
  }

  /** Keeps a reader's newest CAP notifications. */
  private async trim(site: string, user: string): Promise<void> {
    const key = inboxKey(site, user);
    await this.models.Inbox.updateOne({ _id: key }, { $set: { stored: 0 } });
    const old = await this.models.Notification.find({ _id: trusted(range(site, user, { since: new Date(0) })) })
      .sort({ _id: -1 })
      .skip(CAP)
      .select({ _id: 1 })
      .lean();
    if (old.length > 0) await this.models.Notification.deleteMany({ _id: trusted({ $in: old.map((d) => d._id) }) });
  }
}

/** Runs `fn` up to STORE_TRIES times, 1 s, 2 s, 4 s apart; a duplicate key is tried again at once. */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= STORE_TRIES) throw err;
      if (!isDuplicateKey(err)) await new Promise((r) => setTimeout(r, 1000 * 2 ** (attempt - 1)));
    }
  }
}

function reader(actor: Actor): { site: string; user: string } {
  if (!actor.userId || actor.guest) throw new DomainError('unauthorized', 'Sign in to see your notifications');
  return { site: actor.site.id, user: actor.userId };
}

function view(d: NotificationDoc, readUpTo: string): Notification {
  const id = idOfKey(d._id);
  const n: Notification = { id, kind: d.kind, article: d.article, comment: d.comment, excerpt: d.excerpt, at: d.at.toISOString(), read: id <= readUpTo };
  if (d.parentId) n.parentId = d.parentId;
  if (d.by) n.by = stripUndefined({ ...d.by });
  if (d.reason) n.reason = d.reason;
  return n;
}

function excerpt(text: string): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length <= EXCERPT_CHARS ? chars.join('') : `${chars.slice(0, EXCERPT_CHARS - 1).join('').trimEnd()}…`;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;
}
