// embed.js: the small script publishers add to their pages. It finds the comment sections and
// count badges, fills the badges, and loads the widget itself (Preact, the SDK, socket.io-client)
// only when a comment section comes near the viewport.
//
//   <div id="charcha"></div>
//   <script src="https://HOST/embed.js" data-site="demo" data-article="ID" async></script>
//
// Options on the script tag (or per section, on any element with data-charcha-article):
// data-site, data-article, data-token, data-locale (hi|en), data-theme (auto|light|dark),
// data-guests (false when the site does not take guest comments), data-target (element id,
// default "charcha"), data-lazy="false". Signed-in readers: window.charcha = { getToken, signIn }.
import { pickLocale } from './locale';

/** The widget chunk of each language, relative to embed.js (set by the build). */
declare const __WIDGETS__: Record<string, string>;

export interface MountOptions {
  url: string;
  site: string;
  article: string;
  locale: 'hi' | 'en';
  token?: string;
  theme?: string;
  guests?: boolean;
  /** An anonymous reader's article view and first page, fetched while the widget's code loads. */
  firstPage?: Promise<{ article: unknown; page: unknown }>;
}
interface WidgetModule {
  mount(el: HTMLElement, opts: MountOptions): void;
}
interface Shared {
  app: Record<string, Promise<WidgetModule> | undefined>;
  seen: WeakSet<Element>;
}

const w = window as unknown as { __charcha?: Shared; __charchaWidgets?: Record<string, WidgetModule> };
const shared: Shared = (w.__charcha ??= { app: {}, seen: new WeakSet() });
const script = (document.currentScript ??
  document.querySelector('script[src*="/embed.js"]')) as HTMLScriptElement | null;

function loadWidget(base: string, locale: string): Promise<WidgetModule> {
  return (shared.app[locale] ??= new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = new URL(__WIDGETS__[locale], base).href;
    s.async = true;
    s.onload = () => {
      const m = w.__charchaWidgets?.[locale];
      if (m) resolve(m);
      else reject(new Error('charcha: widget missing'));
    };
    s.onerror = () => {
      shared.app[locale] = undefined;
      reject(new Error('charcha: widget failed to load'));
    };
    document.head.append(s);
  }));
}

function fillCounts(server: string, defaultSite: string | undefined) {
  const bySite = new Map<string, HTMLElement[]>();
  for (const el of document.querySelectorAll<HTMLElement>('[data-charcha-count]')) {
    const site = el.dataset.charchaSite ?? defaultSite;
    if (!site || shared.seen.has(el)) continue;
    shared.seen.add(el);
    bySite.set(site, [...(bySite.get(site) ?? []), el]);
  }
  const fmt = new Intl.NumberFormat(pickLocale(script?.dataset.locale));
  for (const [site, els] of bySite) {
    const ids = [...new Set(els.map((el) => el.dataset.charchaCount!))];
    for (let i = 0; i < ids.length; i += 100) {
      const batch = ids.slice(i, i + 100);
      fetch(`${server}/api/v1/sites/${encodeURIComponent(site)}/counts?articles=${batch.map(encodeURIComponent).join(',')}`)
        .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
        .then((body: { counts: Record<string, number> }) => {
          for (const el of els) {
            const n = body.counts[el.dataset.charchaCount!];
            if (typeof n === 'number') el.textContent = fmt.format(n);
          }
        })
        .catch(() => {
          /* badges keep their placeholder */
        });
    }
  }
}

/** What the widget first shows, in the sort and page size it opens with (newest, 20). */
export const FIRST_PAGE_QUERY = '?sort=newest&limit=20';

/**
 * Starts an anonymous reader's first read as the widget's code starts loading, so the two
 * overlap: the same URLs the SDK asks for (shared by the browser's, nginx's and a CDN's caches).
 * A reader the host's `getToken` signs in gets their own reactions with the page, so the
 * widget then reads it itself and this anonymous copy (the cheap, shared one) goes unused.
 */
function prefetch(o: MountOptions): MountOptions['firstPage'] {
  if (o.token || typeof fetch !== 'function') return undefined;
  const base = `${o.url}/api/v1/sites/${encodeURIComponent(o.site)}/articles/${encodeURIComponent(o.article)}`;
  const get = (url: string) => fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))));
  const first = Promise.all([get(base), get(base + '/comments' + FIRST_PAGE_QUERY)]).then(([article, page]) => ({ article, page }));
  first.catch(() => undefined); // the widget reads again if this failed
  return first;
}

function sections(d: DOMStringMap): HTMLElement[] {
  const found = [...document.querySelectorAll<HTMLElement>('[data-charcha-article]')];
  const main = d.article ? document.getElementById(d.target ?? 'charcha') : null;
  if (main && !found.includes(main)) found.push(main);
  return found;
}

function start() {
  if (!script?.src) return;
  const d = script.dataset;
  const server = new URL(script.src).origin;
  fillCounts(server, d.site);
  for (const el of sections(d)) {
    if (shared.seen.has(el)) continue;
    const e = el.dataset;
    const site = e.charchaSite ?? d.site;
    const article = e.charchaArticle ?? d.article;
    if (!site || !article) continue;
    shared.seen.add(el);
    const guests = e.charchaGuests ?? d.guests;
    const opts: MountOptions = {
      url: server,
      site,
      article,
      locale: pickLocale(e.charchaLocale ?? d.locale),
      token: e.charchaToken ?? d.token,
      theme: e.charchaTheme ?? d.theme,
      guests: guests === undefined ? undefined : guests !== 'false',
    };
    const go = () => {
      opts.firstPage = prefetch(opts);
      return loadWidget(script.src, opts.locale).then(
        (m) => m.mount(el, opts),
        (err) => console.error(err),
      );
    };
    if ((e.charchaLazy ?? d.lazy) === 'false' || !('IntersectionObserver' in window)) {
      go();
      continue;
    }
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((x) => x.isIntersecting)) {
          io.disconnect();
          go();
        }
      },
      { rootMargin: '800px 0px' },
    );
    io.observe(el);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
