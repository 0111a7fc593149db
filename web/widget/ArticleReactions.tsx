// Readers' reactions to the article itself: one button per kind the site takes, with its total,
// pressed for the reader's own. The totals stay live through the thread (`reaction:updated` on
// the article); a press is optimistic and undone if the server refuses it.
import { useState } from 'preact/hooks';
import { useWidget } from './context';

const EMOJI: Record<string, string> = { like: '👍', thumbsup: '👍', heart: '❤️', laugh: '😂', wow: '😮', sad: '😢', angry: '😠', insightful: '💡', clap: '👏' };

export function ArticleReactions(props: { kinds: string[]; totals: Record<string, number>; mine: string[]; react(kind: string, on: boolean): Promise<void> }) {
  const w = useWidget();
  const { t } = w;
  const [msg, setMsg] = useState('');
  // One button per face: `like` and `thumbsup` both mean 👍, so the first of them is shown.
  const faces = new Set<string>();
  const kinds = props.kinds.filter((k) => {
    const face = EMOJI[k] ?? k;
    if (faces.has(face)) return false;
    faces.add(face);
    return true;
  });
  if (!kinds.length) return null;

  async function press(kind: string, on: boolean) {
    setMsg('');
    if (!w.reader) {
      if (w.canSignIn) return w.signIn();
      return setMsg(t.signInPrompt);
    }
    try {
      await props.react(kind, on);
    } catch (err) {
      setMsg(w.explain(err));
    }
  }

  return (
    <div class="ar">
      <div class="arb" role="group" aria-labelledby="ch-ar">
        <span class="arl" id="ch-ar">
          {t.articleReactions}
        </span>
        {kinds.map((kind) => {
          const n = props.totals[kind] ?? 0;
          const on = props.mine.includes(kind);
          const name = t.reactionNames[kind as keyof typeof t.reactionNames] ?? kind;
          return (
            <button key={kind} type="button" class="rx" data-kind={kind} aria-pressed={on} aria-label={`${name}: ${w.num(n)}`} title={name} onClick={() => press(kind, !on)}>
              <span aria-hidden="true">{EMOJI[kind] ?? kind}</span>
              {n > 0 && <span class="rn">{w.num(n)}</span>}
            </button>
          );
        })}
      </div>
      {msg && (
        <p class="st bad" role="alert">
          {msg}
        </p>
      )}
    </div>
  );
}
