// How notifications are keyed: `<site>:<user>:<id>`, the user URI-encoded so that it has no
// colon and one reader's keys are one `_id` range; `<id>` is time-sortable, and derived from
// the change that caused it alone (the time its revision was claimed, the comment, the
// revision), so storing it twice stores it once.
import { z } from 'zod';

/** `<time: ms, base 36, 9 digits>-<comment id>-<revision, 6 digits>`. */
export const NOTIFICATION_ID = /^[0-9a-z]{9}-[0-9a-f]{24}-[0-9]{6}$/;
export const NotificationId = z.string().regex(NOTIFICATION_ID, 'a notification id');

/** Sorts after every id: the open end of a reader's range. */
const END = '~';

export const inboxKey = (site: string, user: string) => `${site}:${encodeURIComponent(user)}`;
const prefix = (site: string, user: string) => `${inboxKey(site, user)}:`;

export const timePart = (at: Date | number) => new Date(at).getTime().toString(36).padStart(9, '0');

export function notificationId(at: Date, commentId: string, rev: number): string {
  return `${timePart(at)}-${commentId}-${String(rev).padStart(6, '0')}`;
}

export const notificationKey = (site: string, user: string, id: string) => prefix(site, user) + id;

/** The public id of a stored notification's key. */
export const idOfKey = (key: string) => key.slice(key.lastIndexOf(':') + 1);

/**
 * The `_id` bounds of a reader's notifications newer than `since` (retention) and, with
 * `before`, older than that id; `after` (an id) excludes it and everything older.
 */
export function range(site: string, user: string, o: { since: Date; before?: string; after?: string }): { $gt: string; $lt: string } {
  const p = prefix(site, user);
  const oldest = timePart(o.since);
  const lower = o.after && o.after > oldest ? o.after : oldest;
  return { $gt: p + lower, $lt: p + (o.before ?? END) };
}
