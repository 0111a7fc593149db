// A banner over the queue when one of the site's webhooks is disabled (it failed past its
// retry schedule; an admin re-enables it, docs/WEBHOOKS.md). Read on sign-in and every minute.
import { useEffect, useState } from 'preact/hooks';
import type { ConsoleApi, WebhookSummary } from './api';
import type { Lang } from './i18n';

const REFRESH_MS = 60_000;

const TEXT: Record<Lang, (hosts: string) => string> = {
  en: (hosts) => `Webhook disabled: ${hosts} kept failing, so events are no longer sent there. They are kept; an admin can re-enable it.`,
  hi: (hosts) => `वेबहुक बंद है: ${hosts} बार-बार विफल रहा, इसलिए वहाँ घटनाएँ अब नहीं भेजी जा रहीं। वे सहेजी हुई हैं; कोई एडमिन इसे फिर चालू कर सकता है।`,
};

export function WebhooksBanner(props: { api: ConsoleApi; lang: Lang }) {
  const [disabled, setDisabled] = useState<WebhookSummary[]>([]);
  useEffect(() => {
    let live = true;
    const read = () =>
      props.api
        .webhooks()
        .then((r) => live && setDisabled(r.webhooks.filter((w) => w.disabled)))
        .catch(() => undefined);
    void read();
    const timer = setInterval(read, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [props.api]);
  if (disabled.length === 0) return null;
  return (
    <div class="webhooks-banner" role="alert">
      {TEXT[props.lang](disabled.map((w) => w.host).join(', '))}
    </div>
  );
}
