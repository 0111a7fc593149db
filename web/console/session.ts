// A staff member's sign-in and interface language, shared by the console and the dashboard:
// the token lives in one sessionStorage entry, so signing in to one signs in to the other.
import { useEffect, useState } from 'preact/hooks';
import { initialLang, saveLang, type Lang } from './i18n';

const KEY = 'charcha-console-token';

function stored(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

function store(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, token);
  } catch {
    /* storage blocked: this tab only */
  }
}

export interface StaffSession {
  lang: Lang;
  setLang(l: Lang): void;
  token: string | null;
  /** Why the last sign-out happened, for the sign-in form. */
  error: string | null;
  signIn(token: string): void;
  signOut(reason?: string): void;
}

/** The session of one page; `title` is the page's name in the current language. */
export function useStaffSession(title: (lang: Lang) => string): StaffSession {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [token, setToken] = useState<string | null>(stored);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = `${title(lang)} · Charcha`;
  }, [lang]);
  return {
    lang,
    token,
    error,
    setLang(l) {
      saveLang(l);
      setLangState(l);
    },
    signIn(tok) {
      store(tok);
      setError(null);
      setToken(tok);
    },
    signOut(reason) {
      store(null);
      setError(reason ?? null);
      setToken(null);
    },
  };
}
