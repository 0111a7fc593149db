// The writing box: the main one above the thread and the reply box under a comment.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useWidget } from './context';
import { Avatar } from './Avatar';

interface Props {
  parentId?: string;
  replyTo?: string;
  onDone?: () => void;
  autoFocus?: boolean;
}

const GUEST_KEY = 'charcha:guest-name';

export function storedName(): string {
  try {
    return localStorage.getItem(GUEST_KEY) ?? '';
  } catch {
    return '';
  }
}

export function Composer({ parentId, replyTo, onDone, autoFocus }: Props) {
  const w = useWidget();
  const { t, reader } = w;
  const [body, setBody] = useState('');
  const name = w.guestName;
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const box = useRef<HTMLTextAreaElement>(null);
  const id = parentId ? `r-${parentId}` : 'main';

  useEffect(() => {
    if (autoFocus) box.current?.focus();
  }, []);

  if (w.locked) return parentId ? null : <p class="si">{t.locked}</p>;

  if (!reader && !w.guests) {
    const hook = w.canSignIn;
    return (
      <div class="si">
        <span>{t.signInPrompt}</span>
        {hook && (
          <button type="button" class="bt" onClick={() => w.signIn()}>
            {t.signIn}
          </button>
        )}
      </div>
    );
  }

  async function submit(e?: Event) {
    e?.preventDefault();
    const text = body.trim();
    if (!text) return;
    const guestName = name.trim();
    if (!reader && !guestName) {
      setError(t.needName);
      return;
    }
    setError('');
    setNote('');
    try {
      if (!reader) {
        try {
          localStorage.setItem(GUEST_KEY, guestName);
        } catch {
          /* private mode */
        }
      }
      const sent = w.post(text, parentId, reader ? undefined : guestName);
      // The SDK shows the comment at once as pending: clear the box now; on a refusal the text
      // comes back with the reason, so nothing the reader typed is lost.
      setBody('');
      const comment = await sent;
      if (comment?.status === 'pending') setNote(t.held);
      else onDone?.();
    } catch (err) {
      setBody((b) => b || text);
      setError(w.explain(err));
    }
  }

  function onKey(e: KeyboardEvent) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
    if (e.key === 'Escape' && onDone) onDone();
  }

  const label = parentId ? (replyTo ? t.replyTo(replyTo) : t.replyPlaceholder) : t.commentLabel;
  return (
    <form class={parentId ? 'cp rep' : 'cp'} onSubmit={submit} aria-label={label}>
      {reader && !parentId && (
        <div class="me">
          <Avatar name={reader.name} picture={reader.picture} />
          <span>{t.signedInAs(reader.name)}</span>
        </div>
      )}
      <label class="sr" for={`ta-${id}`}>
        {label}
      </label>
      <textarea
        id={`ta-${id}`}
        ref={box}
        class="ta"
        rows={parentId ? 2 : 3}
        maxLength={5000}
        placeholder={parentId ? t.replyPlaceholder : t.placeholder}
        value={body}
        onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)}
        onKeyDown={onKey}
        aria-describedby={error ? `er-${id}` : undefined}
      />
      <div class="row">
        {!reader && (
          <>
            <label class="sr" for={`nm-${id}`}>
              {t.yourName}
            </label>
            <input
              id={`nm-${id}`}
              class="in"
              maxLength={80}
              autoComplete="nickname"
              placeholder={t.yourName}
              value={name}
              onInput={(e) => w.setGuestName((e.target as HTMLInputElement).value)}
            />
          </>
        )}
        {!reader && !parentId && w.canSignIn && (
          <button type="button" class="lk" onClick={() => w.signIn()}>
            {t.signIn}
          </button>
        )}
        {onDone && (
          <button type="button" class="bt2" onClick={onDone}>
            {t.cancel}
          </button>
        )}
        <button type="submit" class="bt" disabled={!body.trim()}>
          {parentId ? t.replyAction : t.post}
        </button>
      </div>
      {note && (
        <p class="ok" role="status">
          {note}
        </p>
      )}
      {error && (
        <p class="al" id={`er-${id}`} role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
