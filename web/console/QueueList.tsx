// The queue as dense rows of one fixed height: author, article, age, reasons, first line.
import { useEffect, useRef } from 'preact/hooks';
import type { QueueItem } from '../../client-sdk/src/protocol';
import type { Lang, Strings } from './i18n';
import { ago, exact } from './time';

export function QueueList(props: { items: QueueItem[]; selected: number; select(i: number): void; t: Strings; lang: Lang; more: boolean; loadMore(): void; loading: boolean }) {
  const { t, lang } = props;
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const row = list.current?.children[props.selected] as HTMLElement | undefined;
    row?.scrollIntoView({ block: 'nearest' });
  }, [props.selected]);
  if (props.items.length === 0 && !props.loading) return <p class="empty">{t.empty}</p>;
  return (
    <div class="list">
      <ol ref={list} role="listbox" aria-label={t.title}>
        {props.items.map((item, i) => (
          <li
            key={item.id}
            role="option"
            aria-selected={i === props.selected}
            class={i === props.selected ? 'row sel' : 'row'}
            data-id={item.id}
            onClick={() => props.select(i)}
          >
            <div class="meta">
              <b class="who">{item.author.name}</b>
              {item.author.guest && <span class="tag">{t.guest}</span>}
              <span class="art" title={item.article}>{item.article}</span>
              <time dateTime={item.createdAt} title={exact(item.createdAt, lang)}>{ago(item.createdAt, lang, t.now)}</time>
            </div>
            <div class="snip">{textOf(item.body)}</div>
            <div class="chips">
              {item.hidden && <span class="chip warn">{t.hidden}</span>}
              {item.flags.length > 0 && <span class="chip flag">⚑ {item.flags.length}</span>}
              {item.reasons.slice(0, 2).map((r) => (
                <span class="chip" key={r}>{t.reason[r] ?? r}</span>
              ))}
            </div>
          </li>
        ))}
      </ol>
      {props.more && (
        <button type="button" class="more" onClick={props.loadMore} disabled={props.loading}>
          {t.loadMore}
        </button>
      )}
    </div>
  );
}

function textOf(html: string): string {
  return new DOMParser().parseFromString(html, 'text/html').body.textContent ?? '';
}
