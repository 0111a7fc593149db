// The one place that knows the client SDK's shapes. Components use WidgetComment and the
// helpers here, so a change in the SDK's API is absorbed in this file (and session.ts).
import type { Notification, SortOrder } from '../../client-sdk/src/protocol';
import type { ThreadComment } from '../../client-sdk/src/thread-store';

export type { Notification, SortOrder };
export type { FirstPage, Thread } from '../../client-sdk/src/thread';
export type { Notifications } from '../../client-sdk/src/notifications';

/** A comment as the thread store holds it: the wire Comment, its loaded replies, local state. */
export type WidgetComment = ThreadComment;

/** '' once stored on the server; 'sending' while queued or in flight; 'failed' after the last try. */
export function localState(c: WidgetComment): '' | 'sending' | 'failed' {
  const s = c.local?.state;
  return s === 'failed' ? 'failed' : s ? 'sending' : '';
}
