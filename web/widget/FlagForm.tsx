// Reporting a comment to the moderators, with a reason.
import { useState } from 'preact/hooks';
import { useWidget } from './context';
import { focusOnce } from './focus';

const REASONS = ['spam', 'abuse', 'offtopic', 'other'] as const;

export function FlagForm({ onSend, onCancel }: { onSend: (reason: string, note?: string) => void; onCancel: () => void }) {
  const { t } = useWidget();
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (reason) onSend(reason, note.trim() || undefined);
      }}
      onKeyDown={(e) => e.key === 'Escape' && onCancel()}
    >
      <fieldset class="ff">
        <legend>{t.reportTitle}</legend>
        {REASONS.map((r, i) => (
          <label key={r}>
            <input
              type="radio"
              name="reason"
              value={r}
              checked={reason === r}
              onChange={() => setReason(r)}
              ref={i === 0 ? focusOnce : undefined}
            />
            {t.reasons[r]}
          </label>
        ))}
        {reason === 'other' && (
          <input class="in" aria-label={t.note} placeholder={t.note} maxLength={500} value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
        )}
        <div class="row">
          <button type="button" class="bt2" onClick={onCancel}>
            {t.cancel}
          </button>
          <button type="submit" class="bt" disabled={!reason}>
            {t.send}
          </button>
        </div>
      </fieldset>
    </form>
  );
}
