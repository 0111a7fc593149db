// The newsroom's live view: readers now and the busiest stories (the /dashboard feed, once a
// second), comments and reactions per minute and peak readers as charts (GET /admin/stats),
// the moderation backlog and the median wait, and the most active articles with a link to
// their queue in the console.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { DashboardLive } from '../../client-sdk/src/protocol';
import { LangSwitch } from '../console/SignIn';
import type { Lang } from '../console/i18n';
import type { StatsSeries, StatsTopArticle } from '../../client-sdk/src/protocol';
import { DashboardApi } from './api';
import { Chart } from './Chart';
import { waitText, type DashStrings } from './i18n';

const RANGES = [1, 3, 6, 24];
const REFRESH_MS = 30_000;
const MINUTE = 60_000;

export function Dashboard(props: { site: string; token: string; t: DashStrings; lang: Lang; setLang(l: Lang): void; signOut(reason?: string): void; sessionEnded: string }) {
  const { t } = props;
  const api = useMemo(() => new DashboardApi(props.site, props.token), [props.site, props.token]);
  const [hours, setHours] = useState(3);
  const [series, setSeries] = useState<StatsSeries | null>(null);
  const [top, setTop] = useState<StatsTopArticle[]>([]);
  const [live, setLive] = useState<DashboardLive | null>(null);
  const [online, setOnline] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const locale = props.lang === 'hi' ? 'hi-IN' : 'en-IN';
  const fmt = useMemo(() => new Intl.NumberFormat(locale), [locale]);

  useEffect(() => {
    let gone = false;
    const load = async () => {
      try {
        const [s, tp] = await Promise.all([api.series(hours), api.top('comments')]);
        if (gone) return;
        setSeries(s);
        setTop(tp.articles);
        setError(null);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'unauthorized' || code === 'forbidden') props.signOut(props.sessionEnded);
        else if (!gone) setError(`${t.failed}: ${(err as Error).message}`);
      }
    };
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      gone = true;
      clearInterval(timer);
    };
  }, [api, hours]);

  useEffect(() => {
    const socket = api.connect();
    socket.on('connect', () => setOnline(true));
    socket.on('disconnect', () => setOnline(false));
    socket.on('connect_error', (err: Error & { data?: { error?: { code?: string } } }) => {
      setOnline(false);
      const code = err.data?.error?.code;
      if (code === 'unauthorized' || code === 'forbidden') props.signOut(props.sessionEnded);
    });
    socket.on('stats:live', setLive);
    return () => socket.disconnect();
  }, [api]);

  // The stored minutes, with the live feed's fresher counts of the last hour on top.
  const chart = useMemo(() => {
    const points = series?.points ?? [];
    const fresh = new Map((series?.resolution === 'minute' ? (live?.minutes ?? []) : []).map((m) => [m.at, m]));
    return {
      times: points.map((p) => p.at),
      comments: points.map((p) => Math.max(p.posted ?? 0, fresh.get(p.at)?.posted ?? 0)),
      reactions: points.map((p) => Math.max(p.reactions ?? 0, fresh.get(p.at)?.reactions ?? 0)),
      readers: points.map((p) => p.readers ?? 0),
    };
  }, [series, live]);

  const thisMinute = live?.minutes.find((m) => m.at === Math.floor(Date.now() / MINUTE) * MINUTE)?.posted ?? 0;
  const backlog = series?.backlog;
  const queueLink = (article?: string) => `/moderate?site=${encodeURIComponent(props.site)}${article ? `&article=${encodeURIComponent(article)}` : ''}`;
  const maxReaders = Math.max(1, ...(live?.articles ?? []).map((a) => a.readers));

  return (
    <div class="dash">
      <header class="bar">
        <h1 class="brand">
          <span class="logo" aria-hidden="true">च</span> {t.title}
        </h1>
        <span class="site">{props.site}</span>
        <span class={`conn${online ? ' on' : ''}`} role="status">{online ? t.live : t.offline}</span>
        <label class="range">
          <span>{t.range}</span>
          <select value={hours} onChange={(e) => setHours(Number((e.target as HTMLSelectElement).value))}>
            {RANGES.map((h) => (
              <option value={h}>{t.hours(h)}</option>
            ))}
          </select>
        </label>
        <a class="tool" href={queueLink()}>{t.console}</a>
        <LangSwitch lang={props.lang} setLang={props.setLang} />
        <button type="button" class="link" onClick={() => props.signOut()}>{t.signOut}</button>
      </header>
      <main>
        {error && <p class="error" role="alert">{error}</p>}
        <section class="cards" aria-label={t.title}>
          <Card label={t.readersNow} value={live ? fmt.format(live.readers) : '–'} id="readers-now" />
          <Card label={t.commentsLastMinute} value={live ? fmt.format(thisMinute) : '–'} id="comments-minute" />
          <Card
            label={t.backlog}
            value={backlog ? fmt.format(backlog.pending + backlog.flagged) : '–'}
            detail={backlog ? `${fmt.format(backlog.pending)} ${t.pending} · ${fmt.format(backlog.flagged)} ${t.flagged}` : undefined}
            href={queueLink()}
            id="backlog"
          />
          <Card label={t.medianWait} value={series?.medianWaitMs != null ? waitText(t, series.medianWaitMs) : '–'} detail={series?.medianWaitMs == null ? t.noDecisions : undefined} id="median-wait" />
        </section>
        <div class="grid">
          <section class="charts">
            <Chart
              locale={locale}
              title={`${t.perMinute} (${t.hours(hours)})`}
              times={chart.times}
              series={[
                { label: t.comments, color: '#1a5fd0', values: chart.comments },
                { label: t.reactions, color: '#c2410c', values: chart.reactions },
              ]}
            />
            <Chart locale={locale} title={t.readersChart} times={chart.times} series={[{ label: t.readers, color: '#17803d', values: chart.readers }]} height={150} />
          </section>
          <section class="panel now" aria-labelledby="busiest">
            <h2 id="busiest">{t.busiestNow}</h2>
            {live && live.articles.length > 0 ? (
              <ol class="busiest">
                {live.articles.slice(0, 10).map((a) => (
                  <li>
                    <span class="name" title={a.article}>{a.article}</span>
                    <span class="meter" aria-hidden="true"><span style={{ width: `${(100 * a.readers) / maxReaders}%` }} /></span>
                    <span class="num">{fmt.format(a.readers)}</span>
                  </li>
                ))}
              </ol>
            ) : (
              <p class="mute">{t.nobodyReading}</p>
            )}
          </section>
        </div>
        <section class="panel" aria-labelledby="active">
          <h2 id="active">{t.mostActive}</h2>
          {top.length > 0 ? (
            <div class="scroll">
              <table class="active">
                <thead>
                  <tr>
                    <th scope="col">{t.article}</th>
                    <th scope="col" class="num">{t.comments}</th>
                    <th scope="col" class="num">{t.reactions}</th>
                    <th scope="col" class="num">{t.readersCol}</th>
                    <th scope="col" class="num">{t.heldCol}</th>
                    <th scope="col">{t.queue}</th>
                  </tr>
                </thead>
                <tbody>
                  {top.map((a) => (
                    <tr>
                      <th scope="row" class="name" title={a.article}>{a.article}</th>
                      <td class="num">{fmt.format(a.comments)}</td>
                      <td class="num">{fmt.format(a.reactions)}</td>
                      <td class="num">{fmt.format(a.readers)}</td>
                      <td class="num">{fmt.format(a.held)}</td>
                      <td>
                        <a href={queueLink(a.article)}>{t.openQueue}</a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p class="mute">{t.nothingYet}</p>
          )}
        </section>
      </main>
    </div>
  );
}

function Card(props: { label: string; value: string; detail?: string | undefined; href?: string; id: string }) {
  const body = (
    <>
      <span class="label">{props.label}</span>
      <strong class="value" data-testid={props.id}>{props.value}</strong>
      {props.detail && <span class="detail">{props.detail}</span>}
    </>
  );
  return props.href ? (
    <a class="card" href={props.href}>
      {body}
    </a>
  ) : (
    <div class="card">{body}</div>
  );
}
