// Signed out: the sign-in form. Signed in: the console. The token lives in sessionStorage.
import { Console } from './Console';
import { STRINGS } from './i18n';
import { useStaffSession } from './session';
import { SignIn } from './SignIn';

export function App(props: { site: string }) {
  const s = useStaffSession((lang) => STRINGS[lang].title);
  const t = STRINGS[s.lang];
  if (!s.token) return <SignIn site={props.site} t={t} lang={s.lang} setLang={s.setLang} error={s.error} onToken={s.signIn} />;
  return <Console key={s.token} site={props.site} token={s.token} t={t} lang={s.lang} setLang={s.setLang} signOut={s.signOut} />;
}
