// Signed out: the console's sign-in form (the same staff token, kept in the same
// sessionStorage entry, so a moderator signed in to the console is signed in here too).
import { useEffect, useState } from 'preact/hooks';
import { SignIn } from '../console/SignIn';
import { STRINGS, initialLang, saveLang, type Lang } from '../console/i18n';
import { Dashboard } from './Dashboard';
import { DASH_STRINGS } from './i18n';

const KEY = 'charcha-console-token';
const storage = {
  get: () => {
    try {
      return sessionStorage.getItem(KEY);
    } catch {
      return null;
    }
  },
  set: (v: string | null) => {
    try {
      if (v === null) sessionStorage.removeItem(KEY);
      else sessionStorage.setItem(KEY, v);
    } catch {
      /* storage blocked: this tab only */
    }
  },
};

export function App(props: { site: string }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [token, setToken] = useState<string | null>(storage.get);
  const [error, setError] = useState<string | null>(null);
  const t = DASH_STRINGS[lang];
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = `${t.title} · Charcha`;
  }, [lang]);
  const setLang = (l: Lang) => {
    saveLang(l);
    setLangState(l);
  };
  const signIn = (tok: string) => {
    storage.set(tok);
    setError(null);
    setToken(tok);
  };
  const signOut = (reason?: string) => {
    storage.set(null);
    setError(reason ?? null);
    setToken(null);
  };
  if (!token) return <SignIn site={props.site} t={{ ...STRINGS[lang], signInTitle: t.signInTitle }} lang={lang} setLang={setLang} error={error} onToken={signIn} />;
  return <Dashboard key={token} site={props.site} token={token} t={t} lang={lang} setLang={setLang} signOut={signOut} sessionEnded={STRINGS[lang].sessionEnded} />;
}
