// A signed-in reader's notifications and their inbox (docs/DATA.md, "Notifications"). Both are
// keyed by `_id`, the one lookup FerretDB serves from an index:
//   notifications  `_id` = `<site>:<user>:<id>`, `<user>` URI-encoded (so it has no colon) and
//                  `<id>` time-sortable: a reader's notifications are one `_id` range, newest last
//   inboxes        `_id` = `<site>:<user>`: the read mark and the unread count
import { Schema, type Connection, type Model } from 'mongoose';
import type { NotificationKind } from '../../../client-sdk/src/protocol';

export interface NotificationDoc {
  _id: string;
  site: string;
  user: string;
  kind: NotificationKind;
  article: string;
  comment: string;
  parentId: string | null;
  by: { id: string; name: string; picture?: string } | null;
  excerpt: string;
  reason: string | null;
  at: Date;
}

export interface InboxDoc {
  _id: string;
  /** Notifications up to and including this id are read ('' : none). */
  readUpTo: string;
  /** Kept by `$inc` as notifications arrive; recounted when the mark moves and on a first page. */
  unread: number;
  /** Notifications stored since the last trim (approximate on FerretDB); a trim runs past the cap. */
  stored: number;
  /** The newest notification id stored ('' : none), moved with `$max`: the read mark stops there. */
  newest: string;
}

export interface NotificationModels {
  Notification: Model<NotificationDoc>;
  Inbox: Model<InboxDoc>;
}

const opts = { versionKey: false as const, strict: 'throw' as const, minimize: false };
const by = new Schema<NonNullable<NotificationDoc['by']>>({ id: String, name: String, picture: String }, { _id: false, versionKey: false, strict: 'throw' });

const NotificationSchema = new Schema<NotificationDoc>(
  {
    _id: { type: String, required: true },
    site: { type: String, required: true },
    user: { type: String, required: true },
    kind: { type: String, required: true },
    article: { type: String, required: true },
    comment: { type: String, required: true },
    parentId: { type: String, default: null },
    by: { type: by, default: null },
    excerpt: { type: String, default: '' },
    reason: { type: String, default: null },
    at: { type: Date, required: true },
  },
  opts,
);
// The expiry sweep (FerretDB has no TTL indexes, so a timer deletes old notifications).
NotificationSchema.index({ at: 1 });

const InboxSchema = new Schema<InboxDoc>(
  {
    _id: { type: String, required: true },
    readUpTo: { type: String, default: '' },
    unread: { type: Number, default: 0 },
    stored: { type: Number, default: 0 },
    newest: { type: String, default: '' },
  },
  opts,
);

export function buildNotificationModels(conn: Connection): NotificationModels {
  return {
    Notification: conn.model<NotificationDoc>('Notification', NotificationSchema, 'notifications'),
    Inbox: conn.model<InboxDoc>('Inbox', InboxSchema, 'inboxes'),
  };
}
