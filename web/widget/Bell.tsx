// The signed-in reader's notifications: a bell with the unread count in the header, opening
// the list; an item about this article brings its comment into view (loading pages or replies
// until it is there). Opening the list marks what it shows read, in every tab of the reader.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useWidget } from './context';
import { Icon } from './Icon';
import { relativeTime } from './time';
import type { Notification, Notifications, Thread } from './sdk';

const BELL = 'M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9m4.3 13a1.94 1.94 0 0 0 3.4 0';

export function Bell({ notes, article, jump }: { notes: Notifications; article: string; jump(n: Notification): void }) {
  const w = useWidget();
  const t = w.t;
  const [unread, setUnread] = useState(notes.unread);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<Notification[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    setUnread(notes.unread);
    const offs = [notes.on('unread', setUnread), notes.on('notification', (n) => setItems((list) => list && [n, ...list.filter((x) => x.id !== n.id)]))];
    return () => offs.forEach((off) => off());
  }, [notes]);

  async function load(from: string | null) {
    const page = await notes.list({ cursor: from }).catch(() => null);
    if (!page) return setItems((list) => list ?? []);
    setItems((list) => (from && list ? [...list, ...page.items] : page.items));
    setCursor(page.nextCursor);
    if (!from && page.unread > 0 && page.items[0]) notes.markRead(page.items[0].id).catch(() => undefined);
  }

  function close() {
    setOpen(false);
    button.current?.focus();
  }

  function label(n: Notification): string {
    if (n.kind === 'reply') return t.notifReply(n.by?.name ?? '');
    return n.kind === 'published' ? t.notifPublished : t.notifRemoved;
  }

  return (
    <div class="nt" onKeyDown={(e) => e.key === 'Escape' && open && close()}>
      <button
        ref={button}
        type="button"
        class="nb"
        aria-expanded={open}
        aria-controls="nt-p"
        aria-label={t.notifications(unread, w.num(unread))}
        onClick={() => {
          if (open) return close();
          setOpen(true);
          void load(null);
        }}
      >
        <Icon d={BELL} />
        {unread > 0 && (
          <span class="nc" aria-hidden="true">
            {w.num(unread)}
          </span>
        )}
      </button>
      {open && (
        <div id="nt-p" class="np">
          <h3 class="nh">{t.notificationsTitle}</h3>
          {items === null ? (
            <p class="nm0">{t.loading}</p>
          ) : items.length === 0 ? (
            <p class="nm0">{t.noNotifications}</p>
          ) : (
            <ul class="nl">
              {items.map((n) => {
                const here = n.article === article && n.kind !== 'removed';
                const body = (
                  <>
                    <span class="nx">{label(n)}</span>
                    {n.excerpt && <span class="ne">“{n.excerpt}”</span>}
                    {n.reason && <span class="ne">{t.notifReason(n.reason)}</span>}
                    {n.article !== article && <span class="ne">{t.notifElsewhere}</span>}
                    <time class="tm" dateTime={n.at}>
                      {relativeTime(n.at, w.locale, t.justNow, w.now)}
                    </time>
                  </>
                );
                return (
                  <li key={n.id} class={n.read ? 'ni' : 'ni un'}>
                    {here ? (
                      <button
                        type="button"
                        onClick={() => {
                          setOpen(false);
                          jump(n);
                        }}
                      >
                        {body}
                      </button>
                    ) : (
                      <div>{body}</div>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
          {cursor && (
            <button type="button" class="more" onClick={() => void load(cursor)}>
              {t.notifMore}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

/**
 * Brings a notification's comment into view: loads the replies of the comment it answers (and
 * of that one's parent, for replies kept beside their parent at the depth cap), else more pages,
 * until the thread holds it; then scrolls to it and focuses it.
 */
export async function reveal(thread: Thread, root: ShadowRoot, n: Notification): Promise<void> {
  for (let i = 0; i < 50 && !thread.find(n.comment); i++) {
    const parent = n.parentId ? thread.find(n.parentId) : undefined;
    const holders = [parent, parent?.parentId ? thread.find(parent.parentId) : undefined];
    const holder = holders.find((c) => c && c.moreReplies > 0);
    if (holder) await thread.loadReplies(holder.id);
    else if (thread.hasMore) await thread.loadMore();
    else break;
  }
  for (let i = 0; i < 20; i++) {
    const el = root.querySelector<HTMLElement>(`li[data-id="${CSS.escape(n.comment)}"]>.ca`);
    if (el) {
      const reduce = matchMedia('(prefers-reduced-motion: reduce)').matches;
      el.scrollIntoView({ behavior: reduce ? 'auto' : 'smooth', block: 'center' });
      el.focus({ preventScroll: true });
      return;
    }
    await new Promise((r) => requestAnimationFrame(r));
  }
}
