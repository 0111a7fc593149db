// The live queue of one tab: the first page over HTTP, then queue:added / queue:removed /
// queue:counts from the socket. New items go to the end (oldest first), so rows a moderator
// is reading never move; removed rows leave the selection on the next one. With `article`,
// only that article's items are listed, live ones included.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { QueueCounts, QueueItem, QueueState } from '../../client-sdk/src/protocol';
import type { ConsoleApi, ModSocket } from './api';

export interface QueueView {
  items: QueueItem[];
  counts: QueueCounts;
  nextCursor: string | null;
  loading: boolean;
  connected: boolean;
  loadMore(): void;
  drop(id: string): void;
  /** Last removal by someone else of an item this moderator had selected. */
  taken: { id: string; by: string; action: string } | null;
}

export function useQueue(api: ConsoleApi, socket: ModSocket, tab: QueueState, article: string | null, selectedId: () => string | null, onError: (e: unknown) => void): QueueView {
  const [items, setItems] = useState<QueueItem[]>([]);
  const [counts, setCounts] = useState<QueueCounts>({ pending: 0, flagged: 0 });
  const [nextCursor, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [connected, setConnected] = useState(socket.connected);
  const [taken, setTaken] = useState<QueueView['taken']>(null);
  const tabRef = useRef(tab);
  tabRef.current = tab;
  const articleRef = useRef(article);
  articleRef.current = article;

  const load = useCallback(
    async (cursor: string | null) => {
      setLoading(true);
      try {
        const page = await api.queue(tab, cursor, article);
        if (tabRef.current !== tab || articleRef.current !== article) return;
        setItems((old) => (cursor ? [...old, ...page.items.filter((i) => !old.some((o) => o.id === i.id))] : page.items));
        setNext(page.nextCursor);
        if (page.counts) setCounts(page.counts);
      } catch (e) {
        onError(e);
      } finally {
        setLoading(false);
      }
    },
    [api, tab, article],
  );

  useEffect(() => {
    setItems([]);
    setNext(null);
    void load(null);
  }, [load]);

  useEffect(() => {
    const added = (item: QueueItem) => {
      if (item.queue !== tabRef.current || (articleRef.current !== null && item.article !== articleRef.current)) {
        // It left this tab's queue (e.g. a pending comment now flagged): drop it here.
        setItems((old) => old.filter((o) => o.id !== item.id));
        return;
      }
      setItems((old) => {
        const at = old.findIndex((o) => o.id === item.id);
        // Working queues run oldest first; the rejected list, a history, newest first.
        if (at < 0) return tabRef.current === 'rejected' ? [item, ...old] : [...old, item];
        const copy = old.slice();
        copy[at] = item;
        return copy;
      });
    };
    const removed = (e: { id: string; by: string; action: string }) => {
      if (e.id === selectedId()) setTaken(e);
      setItems((old) => old.filter((o) => o.id !== e.id));
    };
    const connect = () => {
      setConnected(true);
      void load(null); // catch up on what arrived while away
    };
    const disconnect = () => setConnected(false);
    socket.on('queue:added', added);
    socket.on('queue:updated', added); // its author edited it: the new body and rev replace it
    socket.on('queue:removed', removed);
    socket.on('queue:counts', setCounts);
    socket.on('connect', connect);
    socket.on('disconnect', disconnect);
    return () => {
      socket.off('queue:added', added);
      socket.off('queue:updated', added);
      socket.off('queue:removed', removed);
      socket.off('queue:counts', setCounts);
      socket.off('connect', connect);
      socket.off('disconnect', disconnect);
    };
  }, [socket, load]);

  return {
    items,
    counts,
    nextCursor,
    loading,
    connected,
    taken,
    loadMore: () => nextCursor && void load(nextCursor),
    drop: (id) => setItems((old) => old.filter((o) => o.id !== id)),
  };
}
