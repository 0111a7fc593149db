// Signed out: the sign-in form. Signed in: the console. The token lives in sessionStorage.
import { useEffect, useState } from 'preact/hooks';
import { Console } from './Console';
import { STRINGS, initialLang, saveLang, type Lang } from './i18n';
import { SignIn } from './SignIn';

const KEY = 'charcha-console-token';
const stored = () => {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
};

export function App(props: { site: string }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [token, setToken] = useState<string | null>(stored);
  const [error, setError] = useState<string | null>(null);
  const t = STRINGS[lang];
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = `${t.title} · Charcha`;
  }, [lang]);
  const setLang = (l: Lang) => {
    saveLang(l);
    setLangState(l);
  };
  const signIn = (tok: string) => {
    try {
      sessionStorage.setItem(KEY, tok);
    } catch {
      /* storage blocked: this tab only */
    }
    setError(null);
    setToken(tok);
  };
  const signOut = (reason?: string) => {
    try {
      sessionStorage.removeItem(KEY);
    } catch {
      /* nothing stored */
    }
    setError(reason ?? null);
    setToken(null);
  };
  if (!token) return <SignIn site={props.site} t={t} lang={lang} setLang={setLang} error={error} onToken={signIn} />;
  return <Console key={token} site={props.site} token={token} t={t} lang={lang} setLang={setLang} signOut={signOut} />;
}
