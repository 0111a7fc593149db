// One comment with its actions, its reply box, and its replies under it.
import { useState } from 'preact/hooks';
import { useWidget } from './context';
import { Avatar } from './Avatar';
import { Composer } from './Composer';
import { FlagForm } from './FlagForm';
import { Icon } from './Icon';
import { focusOnce } from './focus';
import { safeHtml } from './sanitize';
import { fullTime, relativeTime } from './time';
import { localState, type WidgetComment } from './sdk';

function htmlToText(html: string): string {
  const doc = new DOMParser().parseFromString(html.replace(/<br\s*\/?>/gi, '\n'), 'text/html');
  return doc.body.textContent ?? '';
}

export function CommentItem({ c }: { c: WidgetComment }) {
  const w = useWidget();
  const { t, reader } = w;
  const [mode, setMode] = useState<'' | 'reply' | 'edit' | 'flag'>('');
  const [draft, setDraft] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const state = localState(c);
  const err = c.local?.error;
  const gone = c.status === 'deleted';
  const own = c.key !== c.id;
  const mine = !!reader && !c.author.guest && c.author.id === reader.id;
  const moderator = reader?.role === 'moderator' || reader?.role === 'admin';
  const editable = mine && Date.now() - Date.parse(c.createdAt) < w.editWindowSec * 1000;
  const liked = c.myReactions?.includes('like') ?? false;
  const likes = c.reactions?.like ?? 0;
  const replies = c.replies ?? [];
  const hidden = c.moreReplies;
  const name = gone ? '' : c.author.name;
  if (w.hidden(c)) return null;
  const cls = ['c', w.fresh.has(c.id) && 'fr', state && 'pnd', gone && 'gone'].filter(Boolean).join(' ');

  async function run(task: Promise<unknown>, done?: string) {
    setMsg(null);
    try {
      await task;
      setMode('');
      if (done) setMsg({ ok: true, text: done });
    } catch (err) {
      setMsg({ ok: false, text: w.explain(err) });
    }
  }

  return (
    <li class={cls} data-id={c.id}>
      <article class="ca" aria-label={gone ? t.deleted : t.byline(name)} tabIndex={-1}>
        {gone ? <span class="av ga" aria-hidden="true" /> : <Avatar name={name} picture={c.author.picture} />}
        <div>
          {!gone && (
            <div class="mh">
              <span class="nm">{name}</span>
              {c.author.guest && <span class="gb">{t.guest}</span>}
              {c.replyTo && <span class="tm">→ {c.replyTo.name}</span>}
              <time class="tm" dateTime={c.createdAt} title={fullTime(c.createdAt, w.locale)}>
                {relativeTime(c.createdAt, w.locale, t.justNow, w.now)}
              </time>
              {c.editedAt && (
                <span class="ed" title={fullTime(c.editedAt, w.locale)}>
                  · {t.edited}
                </span>
              )}
            </div>
          )}
          {mode === 'edit' ? (
            <form
              class="cp rep"
              onSubmit={(e) => {
                e.preventDefault();
                if (draft.trim()) run(w.edit(c.id, draft.trim()));
              }}
            >
              <label class="sr" for={`ed-${c.id}`}>
                {t.editLabel}
              </label>
              <textarea
                id={`ed-${c.id}`}
                class="ta"
                value={draft}
                maxLength={5000}
                onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
                onKeyDown={(e) => e.key === 'Escape' && setMode('')}
                ref={focusOnce}
              />
              <div class="row">
                <button type="button" class="bt2" onClick={() => setMode('')}>
                  {t.cancel}
                </button>
                <button type="submit" class="bt" disabled={!draft.trim()}>
                  {t.save}
                </button>
              </div>
            </form>
          ) : (
            <div class="bd" dangerouslySetInnerHTML={{ __html: gone ? t.deleted : safeHtml(c.body) }} />
          )}
          {state === 'sending' && (
            <p class="st" role="status">
              {err?.code === 'rate_limited' ? t.rateWait(Math.max(1, Math.ceil(err.retryAfter ?? 1))) : err ? w.explain(err) : t.sending}
            </p>
          )}
          {state === 'failed' && (
            <p class="st bad" role="alert">
              {c.local?.error ? w.explain(c.local.error) : t.failed}{' '}
              <button type="button" class="lk" onClick={() => c.local?.retry().catch(() => {})}>
                {t.retry}
              </button>
            </p>
          )}
          {c.status === 'pending' && !state && <p class="st hld">{t.held}</p>}
          {!gone && !state && mode !== 'edit' && (
            <div class="ac">
              <button
                type="button"
                class="lk"
                aria-pressed={liked}
                aria-label={`${t.like}: ${t.likeCount(likes, w.num(likes))}`}
                onClick={() => (reader ? run(w.like(c, !liked)) : w.canSignIn ? w.signIn() : setMsg({ ok: false, text: t.signInPrompt }))}
              >
                <Icon d="M7 10v11H3V10zm0 0 4-8a3 3 0 0 1 3 3v4h5.5a2 2 0 0 1 2 2.3l-1.4 8A2 2 0 0 1 18 21H7" />
                {likes > 0 && w.num(likes)}
              </button>
              {!w.locked && (
                <button type="button" class="lk" aria-expanded={mode === 'reply'} onClick={() => setMode(mode === 'reply' ? '' : 'reply')}>
                  {t.replyAction}
                </button>
              )}
              {editable && (
                <button
                  type="button"
                  class="lk"
                  onClick={() => {
                    setDraft(htmlToText(c.body));
                    setMode('edit');
                  }}
                >
                  {t.edit}
                </button>
              )}
              {(mine || moderator) && (
                <button type="button" class="lk" onClick={() => confirm(t.confirmDelete) && run(w.remove(c.id))}>
                  {t.del}
                </button>
              )}
              {!mine && !own && (
                <button type="button" class="lk" aria-expanded={mode === 'flag'} onClick={() => setMode(mode === 'flag' ? '' : 'flag')}>
                  {t.report}
                </button>
              )}
            </div>
          )}
          {msg && (
            <p class={msg.ok ? 'ok' : 'al'} role={msg.ok ? 'status' : 'alert'}>
              {msg.text}
            </p>
          )}
          {mode === 'flag' && (
            <FlagForm onCancel={() => setMode('')} onSend={(reason, note) => run(w.flag(c.id, reason, note), t.reported)} />
          )}
          {mode === 'reply' && <Composer parentId={c.id} replyTo={name} autoFocus onDone={() => setMode('')} />}
        </div>
      </article>
      {replies.length > 0 && (
        <ol class="rp">
          {replies.map((r) => (
            <CommentItem key={r.key} c={r} />
          ))}
        </ol>
      )}
      {hidden > 0 && !state && (
        <button type="button" class="lk mr" onClick={() => w.loadReplies(c.id)}>
          {t.moreReplies(hidden, w.num(hidden))}
        </button>
      )}
    </li>
  );
}
