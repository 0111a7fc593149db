// The widget's side of the client SDK: one client per reader identity, one thread at a time
// (per sort order).
import { createClient, type IoFactory } from '../../client-sdk/src/core';
import { io } from 'socket.io-client';
import type { Thread } from '../../client-sdk/src/thread';
import type { FlagReason } from '../../client-sdk/src/protocol';
import { hooks, type Reader } from './identity';
import type { FirstPage, Notifications, SortOrder, WidgetComment } from './sdk';

export interface Session {
  thread: Thread | null;
  /** The signed-in reader's notifications; null for anonymous readers and guests. */
  notifications: Notifications | null;
  /** `firstPage`: answers already fetched for this sort (see ThreadOptions.firstPage). */
  open(sort: SortOrder, firstPage?: Promise<FirstPage>): Thread;
  closeThread(): void;
  post(body: string, parentId?: string, guestName?: string): Promise<WidgetComment>;
  edit(id: string, body: string): Promise<void>;
  remove(id: string): Promise<void>;
  flag(id: string, reason: string, note?: string): Promise<void>;
  close(): void;
}

export function connect(o: { url: string; site: string; reader: Reader | null; article: string; guestName?: string }): Session {
  // With the host's hook, the SDK asks it again when the server says the token expired.
  const getToken = hooks().getToken;
  const token = o.reader && getToken ? async () => (await getToken()) ?? o.reader?.token : o.reader?.token;
  const client = createClient({ url: o.url, site: o.site, token, io: io as unknown as IoFactory });
  const s: Session = {
    thread: null,
    notifications: o.reader ? client.notifications : null,
    open(sort, firstPage) {
      // A returning guest's name lets the SDK recognise the live echo of their own posts.
      s.thread = client.thread(o.article, { sort, firstPage, guest: o.guestName ? { name: o.guestName } : undefined });
      return s.thread;
    },
    closeThread() {
      s.thread?.close();
      s.thread = null;
    },
    post(body, parentId, guestName) {
      return s.thread!.post(body, { parentId, guest: guestName ? { name: guestName } : undefined });
    },
    async edit(id, body) {
      await s.thread!.edit(id, body);
    },
    remove: (id) => s.thread!.delete(id),
    flag: (id, reason, note) => s.thread!.flag(id, reason as FlagReason, note),
    close() {
      client.close();
    },
  };
  return s;
}
