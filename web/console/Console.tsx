// The signed-in console: tabs with live counts, the queue, the selected item, keyboard
// shortcuts (j/k move, a approve, r reject, s spam, b ban author) and a one-line status.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { QueueState } from '../../client-sdk/src/protocol';
import { ApiError, ConsoleApi, claimsOf } from './api';
import type { Lang, Strings } from './i18n';
import { ItemDetail, type Act } from './ItemDetail';
import { QueueList } from './QueueList';
import { LangSwitch } from './SignIn';
import { useQueue } from './useQueue';
import { WebhooksBanner } from './WebhooksBanner';

const TABS: QueueState[] = ['pending', 'flagged', 'rejected'];

export function Console(props: { site: string; token: string; t: Strings; lang: Lang; setLang(l: Lang): void; signOut(reason?: string): void }) {
  const { t, lang } = props;
  const api = useMemo(() => new ConsoleApi(props.site, props.token), [props.site, props.token]);
  const socket = useMemo(() => api.connect(), [api]);
  const me = claimsOf(props.token).name ?? '';
  const [tab, setTab] = useState<QueueState>('pending');
  const [article, setArticle] = useState<string | null>(() => new URLSearchParams(location.search).get('article'));
  const clearArticle = () => {
    const url = new URL(location.href);
    url.searchParams.delete('article');
    history.replaceState(null, '', url);
    setArticle(null);
    setSelected(0);
  };
  const [selected, setSelected] = useState(0);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ text: string; kind: 'ok' | 'err' } | null>(null);
  const selectedRef = useRef<string | null>(null);

  const fail = (e: unknown) => {
    if (e instanceof ApiError && (e.code === 'unauthorized' || e.code === 'forbidden')) props.signOut(e.message);
    else setStatus({ text: `${t.failed}: ${(e as Error).message}`, kind: 'err' });
  };
  const q = useQueue(api, socket, tab, article, () => selectedRef.current, fail);
  const index = Math.min(selected, Math.max(q.items.length - 1, 0));
  const item = q.items[index];
  selectedRef.current = item?.id ?? null;

  useEffect(() => {
    const refused = (err: Error & { data?: { error?: { code?: string; message?: string } } }) => {
      const code = err.data?.error?.code;
      if (code === 'unauthorized' || code === 'forbidden') props.signOut(err.data?.error?.message);
    };
    // The server closes the socket once the token has expired (and was not refreshed).
    const closed = (reason: string) => {
      if (reason === 'io server disconnect') props.signOut(t.sessionEnded);
    };
    socket.on('connect_error', refused);
    socket.on('disconnect', closed);
    return () => {
      socket.off('connect_error', refused);
      socket.off('disconnect', closed);
      socket.disconnect();
    };
  }, [socket]);

  useEffect(() => setStatus(null), [lang]);
  useEffect(() => {
    if (q.taken && q.taken.by !== me) setStatus({ text: t.takenBy(q.taken.by, t.action[q.taken.action] ?? q.taken.action), kind: 'err' });
  }, [q.taken]);

  const act = async (a: Act) => {
    if (!item || busy) return;
    setBusy(true);
    try {
      if (a === 'ban') {
        await api.userAction(item.author.id, 'ban');
        setStatus({ text: t.banned(item.author.name), kind: 'ok' });
      } else {
        await api.decide(socket, item.id, a, tab, item.rev);
        q.drop(item.id);
        setStatus({ text: `${t.action[a]}: ${item.author.name}`, kind: 'ok' });
      }
    } catch (e) {
      if (e instanceof ApiError && e.code === 'conflict') {
        q.drop(item.id);
        setStatus({ text: e.message, kind: 'err' });
      } else fail(e);
    } finally {
      setBusy(false);
    }
  };

  const actRef = useRef(act);
  actRef.current = act;
  const countRef = useRef(q.items.length);
  countRef.current = q.items.length;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const el = e.target as HTMLElement;
      if (el.closest('input, textarea, select, [contenteditable]')) return;
      const max = countRef.current - 1;
      const keys: Record<string, () => void> = {
        j: () => setSelected((s) => Math.min(Math.min(s, max) + 1, max)),
        k: () => setSelected((s) => Math.max(Math.min(s, max) - 1, 0)),
        a: () => void actRef.current('approve'),
        r: () => void actRef.current('reject'),
        s: () => void actRef.current('spam'),
        b: () => void actRef.current('ban'),
      };
      const fn = keys[e.key];
      if (!fn) return;
      e.preventDefault();
      fn();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const count = (s: QueueState) => (s === 'rejected' ? null : q.counts[s]);
  return (
    <div class="console">
      <header class="bar">
        <h1 class="brand">
          <span class="logo" aria-hidden="true">च</span> {t.title}
        </h1>
        <nav class="tabs" role="tablist">
          {TABS.map((s) => (
            <button
              type="button"
              role="tab"
              key={s}
              aria-selected={tab === s}
              onClick={() => {
                setTab(s);
                setSelected(0);
              }}
            >
              {t[s]} {count(s) !== null && <span class="count">{count(s)}</span>}
            </button>
          ))}
        </nav>
        {article !== null && (
          <span class="filter">
            {t.onlyArticle} <strong>{article}</strong>{' '}
            <button type="button" class="link" onClick={clearArticle}>
              {t.allArticles}
            </button>
          </span>
        )}
        <span class={q.connected ? 'conn on' : 'conn'}>{q.connected ? t.live : t.offline}</span>
        <span class="me">{me}</span>
        <LangSwitch lang={lang} setLang={props.setLang} />
        <button type="button" class="link" onClick={() => props.signOut()}>
          {t.signOut}
        </button>
      </header>
      <WebhooksBanner api={api} lang={lang} />
      <main class="panes">
        <QueueList items={q.items} selected={index} select={setSelected} t={t} lang={lang} more={!!q.nextCursor} loadMore={q.loadMore} loading={q.loading} />
        <ItemDetail item={item} tab={tab} t={t} lang={lang} busy={busy} act={act} />
      </main>
      <footer class="status">
        <span class={status ? `msg ${status.kind}` : 'msg'} role="status">{status?.text ?? ''}</span>
        <span class="keys">{t.keys}</span>
      </footer>
    </div>
  );
}
