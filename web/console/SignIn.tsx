// Sign in with a moderator token, or (local mode) a demo moderator token from the server.
import { useState } from 'preact/hooks';
import { demoToken } from './api';
import type { Lang, Strings } from './i18n';

export function SignIn(props: { site: string; t: Strings; lang: Lang; setLang(l: Lang): void; error: string | null; onToken(token: string): void }) {
  const { t } = props;
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: Event) => {
    e.preventDefault();
    if (value.trim()) props.onToken(value.trim());
  };
  const demo = async () => {
    try {
      props.onToken(await demoToken(props.site));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <main class="signin">
      <form onSubmit={submit}>
        <h1>
          <span class="logo" aria-hidden="true">च</span> {t.signInTitle}
        </h1>
        <label for="token">{t.tokenLabel}</label>
        <textarea id="token" rows={4} value={value} onInput={(e) => setValue((e.target as HTMLTextAreaElement).value)} spellcheck={false} />
        <div class="row">
          <button type="submit" class="primary">{t.signIn}</button>
          <LangSwitch lang={props.lang} setLang={props.setLang} />
        </div>
        {props.site === 'demo' && (
          <button type="button" class="link" onClick={demo}>
            {t.demoToken}
          </button>
        )}
        {(error ?? props.error) && <p class="error" role="alert">{error ?? props.error}</p>}
      </form>
    </main>
  );
}

export function LangSwitch(props: { lang: Lang; setLang(l: Lang): void }) {
  return (
    <div class="lang" role="group" aria-label="Language / भाषा">
      <button type="button" aria-pressed={props.lang === 'hi'} onClick={() => props.setLang('hi')} lang="hi">हिंदी</button>
      <button type="button" aria-pressed={props.lang === 'en'} onClick={() => props.setLang('en')} lang="en">English</button>
    </div>
  );
}
