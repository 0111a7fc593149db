// Signed out: the console's sign-in form (the same staff session as the console's, so a
// moderator signed in to the console is signed in here too).
import { SignIn } from '../console/SignIn';
import { STRINGS } from '../console/i18n';
import { useStaffSession } from '../console/session';
import { Dashboard } from './Dashboard';
import { DASH_STRINGS } from './i18n';

export function App(props: { site: string }) {
  const s = useStaffSession((lang) => DASH_STRINGS[lang].title);
  const { lang } = s;
  const t = DASH_STRINGS[lang];
  if (!s.token) return <SignIn site={props.site} t={{ ...STRINGS[lang], signInTitle: t.signInTitle }} lang={lang} setLang={s.setLang} error={s.error} onToken={s.signIn} />;
  return <Dashboard key={s.token} site={props.site} token={s.token} t={t} lang={lang} setLang={s.setLang} signOut={s.signOut} sessionEnded={STRINGS[lang].sessionEnded} />;
}
