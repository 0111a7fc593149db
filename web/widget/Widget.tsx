// The comment section: header, main box, "new comments" banner, the thread, load more.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { WidgetContext, type WidgetApi } from './context';
import { catalogue, type Locale } from './i18n';
import { currentReader, hooks, type Reader } from './identity';
import { Composer, storedName } from './Composer';
import { CommentItem } from './CommentItem';
import { ArticleReactions } from './ArticleReactions';
import { Bell, reveal } from './Bell';
import { Icon } from './Icon';
import { connect, type Session } from './session';
import type { FirstPage, SortOrder, WidgetComment } from './sdk';

export interface WidgetProps {
  url: string;
  site: string;
  article: string;
  locale: Locale;
  token?: string;
  theme?: string;
  guests?: boolean;
  editWindowSec?: number;
  root: ShadowRoot;
  /** The loader's early read of the first page (anonymous readers). */
  firstPage?: Promise<unknown>;
}

const SORTS: SortOrder[] = ['newest', 'oldest', 'top'];

function walk(list: WidgetComment[], fn: (c: WidgetComment) => void) {
  for (const c of list) {
    fn(c);
    if (c.replies) walk(c.replies, fn);
  }
}

function useDark(theme?: string): boolean {
  const mq = useMemo(() => matchMedia('(prefers-color-scheme: dark)'), []);
  const [dark, setDark] = useState(mq.matches);
  useEffect(() => {
    const on = () => setDark(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  return theme === 'dark' || (theme !== 'light' && dark);
}

export function Widget(props: WidgetProps) {
  const t = catalogue(props.locale);
  const dark = useDark(props.theme);
  const [reader, setReader] = useState<Reader | null | undefined>(undefined);
  const [sort, setSort] = useState<SortOrder>('newest');
  const [conn, setConn] = useState<Session | null>(null);
  const [status, setStatus] = useState<'loading' | 'ready' | 'error'>('loading');
  const [, setVersion] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [guests, setGuests] = useState(props.guests ?? true);
  const [guestName, setGuestName] = useState(storedName);
  const [announce, setAnnounce] = useState('');
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [unseen, setUnseen] = useState(0);
  const [offline, setOffline] = useState(false);
  const known = useRef(new Set<string>());
  /** Guest names this reader posted under: the live echo of their own post is not "new". */
  const guestNames = useRef(new Set<string>());
  /** Live echoes of the reader's own guest posts, hidden while the post itself is in flight. */
  const echoes = useRef(new Set<string>());
  const anchor = useRef<{ id: string; top: number } | null>(null);
  const prefetched = useRef(props.firstPage);
  const list = useRef<HTMLOListElement>(null);
  const num = useMemo(() => new Intl.NumberFormat(props.locale).format, [props.locale]);

  // Who is reading: resolved once, and again after the host's sign-in hook.
  useEffect(() => {
    currentReader(props.token).then(setReader);
  }, []);

  // One connection per reader identity; one thread per sort order.
  useEffect(() => {
    if (reader === undefined) return;
    const c = connect({ url: props.url, site: props.site, article: props.article, reader, guestName: storedName() || undefined });
    setConn(c);
    return () => c.close();
  }, [reader]);

  useEffect(() => {
    if (!conn) return;
    // The loader's early read serves the first thread an anonymous reader opens, once.
    const early = prefetched.current;
    prefetched.current = undefined;
    const thread = conn.open(sort, !reader && sort === 'newest' ? (early as Promise<FirstPage> | undefined) : undefined);
    known.current = new Set();
    setStatus('loading');
    setFresh(new Set());
    setUnseen(0);
    let first = true;
    const off = thread.on('change', () => {
      captureAnchor();
      if (!first) noticeNew(thread.comments);
      setVersion((v) => v + 1);
    });
    const offStatus = thread.on('status', (s) => setOffline(s === 'offline'));
    thread.ready.then(
      () => {
        walk(thread.comments, (c) => known.current.add(c.id));
        first = false;
        setStatus('ready');
      },
      () => setStatus('error'),
    );
    return () => {
      off();
      offStatus();
      conn.closeThread();
    };
  }, [conn, sort]);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  // Keep what the reader is looking at in place when comments arrive above it.
  useLayoutEffect(() => {
    const a = anchor.current;
    anchor.current = null;
    if (!a) return;
    const el = props.root.querySelector(`li[data-id="${CSS.escape(a.id)}"]>.ca`);
    const delta = el ? el.getBoundingClientRect().top - a.top : 0;
    if (Math.abs(delta) >= 1) window.scrollBy(0, delta);
  });

  function captureAnchor() {
    const box = list.current;
    if (!box || box.getBoundingClientRect().top >= 0) return;
    for (const el of box.querySelectorAll<HTMLElement>('li.c>.ca')) {
      const r = el.getBoundingClientRect();
      if (r.bottom > 0) {
        anchor.current = { id: (el.parentElement as HTMLElement).dataset.id!, top: r.top };
        return;
      }
    }
  }

  function noticeNew(comments: WidgetComment[]) {
    const added: string[] = [];
    walk(comments, (c) => {
      if (known.current.has(c.id)) return;
      known.current.add(c.id);
      const echo = c.key === c.id && !!c.author.guest && guestNames.current.has(c.author.name);
      if (echo) echoes.current.add(c.id);
      const own = echo || c.key !== c.id || (!c.author.guest && c.author.id === reader?.id);
      if (!own && c.status !== 'deleted') added.push(c.id);
    });
    if (!added.length) return;
    setFresh((f) => new Set([...f, ...added]));
    setUnseen((n) => n + added.length);
    setAnnounce(t.newComments(added.length, num(added.length)));
  }

  /** The new comments have been seen: the banner goes, their highlight fades a little later. */
  function seenNew() {
    setUnseen(0);
    const seen = new Set(fresh);
    setTimeout(() => setFresh((f) => new Set([...f].filter((id) => !seen.has(id)))), 4000);
  }

  function showNew() {
    const first = props.root.querySelector<HTMLElement>('li.fr>.ca');
    const reduce = matchMedia('(prefers-reduced-motion: reduce)').matches;
    (first ?? list.current)?.scrollIntoView({ behavior: reduce ? 'auto' : 'smooth', block: 'center' });
    first?.focus({ preventScroll: true });
    seenNew();
  }

  // A reader who scrolls to the new comments by hand has seen them too. Comments already on
  // screen when they arrived keep the banner (it counts them) until it is used or they are
  // scrolled away from and back to.
  useEffect(() => {
    if (unseen === 0 || typeof IntersectionObserver === 'undefined') return;
    const els = [...props.root.querySelectorAll<HTMLElement>('li.fr>.ca')];
    if (!els.length) return;
    const shown = new Map<Element, boolean>();
    const io = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const was = shown.get(e.target);
        shown.set(e.target, e.isIntersecting);
        if (was === false && e.isIntersecting) {
          io.disconnect();
          seenNew();
          return;
        }
      }
    });
    els.forEach((el) => io.observe(el));
    return () => io.disconnect();
  }, [unseen, fresh]);

  const thread = conn?.thread;
  const comments = thread?.comments ?? [];
  const locked = !!thread?.locked;
  const total = thread?.commentCount ?? 0;
  const viewers = thread?.viewers ?? 0;
  const banner = unseen;
  let sending = false;
  walk(comments, (c) => {
    if (c.local && c.local.state !== 'failed') sending = true;
  });

  const api: WidgetApi = {
    t,
    locale: props.locale,
    num,
    now,
    reader: reader ?? null,
    guests,
    locked,
    canSignIn: !!(hooks().signIn || hooks().getToken),
    editWindowSec: props.editWindowSec ?? 900,
    fresh,
    hidden: (c) => sending && echoes.current.has(c.key),
    guestName,
    setGuestName,
    async signIn() {
      try {
        await hooks().signIn?.();
      } catch {
        /* the host's dialog was closed */
      }
      const next = await currentReader(props.token);
      if (next && next.token !== reader?.token) setReader(next);
    },
    async post(body, parentId, guestName) {
      if (guestName) guestNames.current.add(guestName);
      try {
        return await conn!.post(body, parentId, guestName);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (!reader && (code === 'forbidden' || code === 'unauthorized')) setGuests(false);
        throw err;
      }
    },
    like: async (c, on) => {
      await conn!.thread!.react({ comment: c.key }, 'like', on);
    },
    edit: (id, body) => conn!.edit(id, body),
    remove: (id) => conn!.remove(id),
    flag: (id, reason, note) => conn!.flag(id, reason, note),
    loadReplies: async (id) => {
      await conn!.thread!.loadReplies(id);
    },
    explain(err) {
      const e = err as { code?: string; retryAfter?: number };
      switch (e?.code) {
        case 'rate_limited':
          return t.rateLimited(Math.max(1, Math.ceil(e.retryAfter ?? 1)));
        case 'locked':
          return t.locked;
        case 'too_large':
          return t.tooLong;
        case 'network':
        case 'timeout':
        case 'unavailable':
          return t.offline;
        case 'unauthorized':
          return t.signInPrompt;
        default:
          return t.refused;
      }
    },
  };

  return (
    <WidgetContext.Provider value={api}>
      <div class={dark ? 'r dk' : 'r'} lang={props.locale}>
        <div class="hd">
          <div class="ti">
            <h2 class="t" id="ch-t">
              {t.title}
            </h2>
            {status === 'ready' && <span class="n">{t.count(total, num(total))}</span>}
            {viewers > 0 && (
              <span class="v">
                <span class="dot" aria-hidden="true" />
                {t.viewers(viewers, num(viewers))}
              </span>
            )}
          </div>
          {conn?.notifications && <Bell notes={conn.notifications} article={props.article} jump={(n) => conn.thread && void reveal(conn.thread, props.root, n)} />}
          <div class="so" role="group" aria-label={t.sortLabel}>
            {SORTS.map((s) => (
              <button key={s} type="button" class="sb" aria-pressed={sort === s} onClick={() => setSort(s)}>
                {t.sort[s]}
              </button>
            ))}
          </div>
        </div>
        {offline && (
          <p class="st hld" role="status">
            {t.reconnecting}
          </p>
        )}
        {thread && status === 'ready' && (
          <ArticleReactions kinds={thread.reactionKinds} totals={thread.reactions} mine={thread.myReactions} react={async (kind, on) => void (await thread.react({ article: props.article }, kind, on))} />
        )}
        {reader !== undefined && <Composer />}
        <div class="sr" role="status" aria-live="polite">
          {announce}
        </div>
        {banner > 0 && (
          <button type="button" class="nw" onClick={showNew}>
            <Icon d="M12 19V5m-6 6 6-6 6 6" />
            {t.newComments(banner, num(banner))}
          </button>
        )}
        {status === 'loading' && (
          <div class="sk" role="status" aria-busy="true">
            <span class="sr">{t.loading}</span>
            <i /><i /><i /><i />
          </div>
        )}
        {status === 'error' && <p class="em">{t.loadError}</p>}
        {status === 'ready' && comments.length === 0 && <p class="em">{t.empty}</p>}
        <ol class="ls" ref={list}>
          {comments.map((c) => (
            <CommentItem key={c.key} c={c} />
          ))}
        </ol>
        {status === 'ready' && thread?.hasMore && (
          <button type="button" class="more" onClick={() => thread.loadMore()}>
            {t.loadMore}
          </button>
        )}
        <p class="ft">{t.poweredBy}</p>
      </div>
    </WidgetContext.Provider>
  );
}
