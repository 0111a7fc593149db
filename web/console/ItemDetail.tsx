// The selected item in full: body, article, author and their history, reasons, reports,
// and the actions with their keys.
import type { QueueItem, QueueState } from '../../client-sdk/src/protocol';
import { safeHtml } from '../widget/sanitize';
import type { Lang, Strings } from './i18n';
import { exact } from './time';

export type Act = 'approve' | 'reject' | 'spam' | 'ban';

export function ItemDetail(props: { item: QueueItem | undefined; tab: QueueState; t: Strings; lang: Lang; busy: boolean; act(a: Act): void }) {
  const { item, t, lang } = props;
  if (!item) return <section class="detail none">{t.selectHint}</section>;
  const h = item.authorHistory ?? { comments: 0, rejected: 0, spam: 0 };
  return (
    <section class="detail" aria-live="polite">
      <header>
        <div class="who">
          <b>{item.author.name}</b>
          {item.author.guest && <span class="tag">{t.guest}</span>}
          <span class="uid">{item.author.id}</span>
        </div>
        <dl class="facts">
          <dt>{t.article}</dt>
          <dd>{item.article}</dd>
          <dt>{t.history}</dt>
          <dd>
            <span>{t.comments} {h.comments}</span> · <span class={h.rejected ? 'bad' : ''}>{t.rejections} {h.rejected}</span> ·{' '}
            <span class={h.spam ? 'bad' : ''}>{t.spamCount} {h.spam}</span>
          </dd>
          <dt>{t.posted}</dt>
          <dd>{exact(item.createdAt, lang)}</dd>
        </dl>
      </header>
      <div class="body" dangerouslySetInnerHTML={{ __html: safeHtml(item.body) }} />
      {item.reasons.length > 0 && (
        <div class="block">
          <h2>{t.reasons}</h2>
          <ul class="chips">
            {item.reasons.map((r) => (
              <li class="chip" key={r} title={r}>{t.reason[r] ?? r}</li>
            ))}
          </ul>
        </div>
      )}
      {item.flags.length > 0 && (
        <div class="block">
          <h2>
            {t.flags} ({item.flags.length}){item.hidden && <span class="chip warn">{t.hidden}</span>}
          </h2>
          <ul class="flags">
            {item.flags.map((f) => (
              <li key={f.userId + f.at}>
                <b>{t.flagReason[f.reason] ?? f.reason}</b> {f.note && <q>{f.note}</q>} <span class="uid">{f.userId}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="actions">
        <button type="button" class="ok" disabled={props.busy} onClick={() => props.act('approve')}>
          {props.tab === 'rejected' ? t.undo : t.approve} <kbd>a</kbd>
        </button>
        {props.tab !== 'rejected' && (
          <>
            <button type="button" class="no" disabled={props.busy} onClick={() => props.act('reject')}>
              {t.reject} <kbd>r</kbd>
            </button>
            <button type="button" class="no" disabled={props.busy} onClick={() => props.act('spam')}>
              {t.spam} <kbd>s</kbd>
            </button>
          </>
        )}
        <button type="button" class="ban" disabled={props.busy} onClick={() => props.act('ban')}>
          {t.ban} <kbd>b</kbd>
        </button>
      </div>
    </section>
  );
}
