// The demo pages as HTML strings: a Hindi news article with the comment section under it, a
// listing page with comment-count badges, and the moderator console's shell. No inline script
// or style: the server's CSP forbids them, and publishers' pages should not need them either.
import article from './article-hi.json';

export interface DemoAssets {
  /** URL of a built file by its logical name (embed.js, demo.css, demo.js, console.js...). */
  url(name: string): string | undefined;
}

export interface DemoArticle {
  id: string;
  lang: string;
  category: string;
  title: string;
  published: string;
  publishedText: string;
  imageCredit?: string;
  source?: string;
  paragraphs: string[];
  keywords: string[];
}

export const SAMPLE: DemoArticle = {
  id: article.article,
  lang: article.lang,
  category: article.category,
  title: article.title,
  published: article.published,
  publishedText: article.published_text,
  imageCredit: article.image_credit,
  source: article.source,
  paragraphs: article.paragraphs,
  keywords: article.footer_keywords,
};

/** Two short placeholder articles, so the listing shows several threads and counts. */
export const PLACEHOLDERS: DemoArticle[] = [2, 3].map((n) => ({
  id: `demo-sample-${n}`,
  lang: 'hi',
  category: 'डेमो',
  title: `नमूना लेख ${n}: यहाँ आपकी ख़बर होगी`,
  published: '2021-10-01T09:00:00+05:30',
  publishedText: `0${n}-Oct-2021 9:00 AM`,
  paragraphs: [
    'यह चर्चा के डेमो का एक नमूना पन्ना है। प्रकाशक अपने हर लेख के नीचे एक पंक्ति का कोड जोड़कर पाठकों की टिप्पणियाँ दिखा सकते हैं।',
    'This is a placeholder page of the Charcha demo: every article gets its own live comment thread.',
  ],
  keywords: [],
}));

export function findArticle(id: string | undefined): DemoArticle | undefined {
  if (!id || id === SAMPLE.id) return SAMPLE;
  return PLACEHOLDERS.find((a) => a.id === id);
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]!);

const NAV = ['देश', 'दुनिया', 'छत्तीसगढ़', 'खेल', 'मनोरंजन', 'कारोबार', 'विचार'];

function layout(opts: { lang: string; title: string; assets: DemoAssets; body: string; scripts: string[] }): string {
  const css = opts.assets.url('demo.css');
  const scripts = opts.scripts.filter(Boolean).join('\n');
  return `<!doctype html>
<html lang="${esc(opts.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>${esc(opts.title)}</title>
${css ? `<link rel="stylesheet" href="${esc(css)}">` : ''}
</head>
<body>
<header class="mast">
  <div class="wrap mast-in">
    <a class="brand" href="/demo/"><span class="logo" aria-hidden="true">च</span><span>चर्चा <b>समाचार</b></span></a>
    <nav aria-label="खंड"><ul>${NAV.map((n) => `<li><a href="/demo/">${esc(n)}</a></li>`).join('')}</ul></nav>
    <div class="acct" id="demo-account"></div>
  </div>
</header>
${opts.body}
<footer class="foot"><div class="wrap">
  <p>चर्चा समाचार: <a href="https://github.com/">Charcha</a> का डेमो। The sample article is from bbc.com via a Hindi news site; used here as demo data.</p>
</div></footer>
${scripts}
</body>
</html>
`;
}

function script(src: string | undefined, attrs = ''): string {
  return src ? `<script src="${esc(src)}"${attrs}></script>` : '';
}

export function renderArticlePage(a: DemoArticle, o: { assets: DemoAssets; site: string; locale?: 'hi' | 'en'; guests?: boolean }): string {
  const locale = o.locale ?? 'hi';
  const other = locale === 'hi' ? 'en' : 'hi';
  const self = `/demo/article${a.id === SAMPLE.id ? '' : `?article=${encodeURIComponent(a.id)}`}`;
  const switchHref = `${self}${self.includes('?') ? '&' : '?'}lang=${other}`;
  const embed = o.assets.url('embed.js');
  const body = `<main class="wrap page">
<article class="story">
  <p class="kicker"><a href="/demo/">${esc(a.category)}</a></p>
  <h1>${esc(a.title)}</h1>
  <p class="meta"><time datetime="${esc(a.published)}">${esc(a.publishedText)}</time>${a.source ? ` · <span>${esc(a.source)}</span>` : ''}
    · <a class="to-comments" href="#comments">टिप्पणियाँ <span class="badge" data-charcha-count="${esc(a.id)}">·</span></a></p>
  ${
    a.imageCredit
      ? `<figure class="hero"><div class="hero-img" role="img" aria-label="${esc(a.title)}"><span>रूस</span><span>पाकिस्तान</span></div><figcaption>तस्वीर: ${esc(a.imageCredit)}</figcaption></figure>`
      : ''
  }
  <div class="text">
${a.paragraphs.map((p) => `    <p>${esc(p)}</p>`).join('\n')}
  </div>
  ${a.keywords.length ? `<ul class="tags" aria-label="टैग">${a.keywords.map((k) => `<li>${esc(k)}</li>`).join('')}</ul>` : ''}
</article>
<aside class="side" aria-labelledby="more-h">
  <h2 id="more-h">अन्य पोस्ट</h2>
  <ul>${[SAMPLE, ...PLACEHOLDERS]
    .filter((x) => x.id !== a.id)
    .map((x) => `<li><a href="${x.id === SAMPLE.id ? '/demo/article' : `/demo/article?article=${encodeURIComponent(x.id)}`}">${esc(x.title)}</a> <span class="badge" data-charcha-count="${esc(x.id)}">·</span></li>`)
    .join('')}</ul>
  <p class="demo-note">Demo: <a href="${esc(switchHref)}">${other === 'en' ? 'Widget in English' : 'विजेट हिंदी में'}</a></p>
</aside>
<section id="comments" class="comments" aria-label="टिप्पणियाँ">
  <div id="charcha"></div>
</section>
</main>`;
  return layout({
    lang: a.lang,
    title: `${a.title} | चर्चा समाचार`,
    assets: o.assets,
    body,
    scripts: [
      script(o.assets.url('demo.js')),
      script(embed, ` data-site="${esc(o.site)}" data-article="${esc(a.id)}" data-locale="${locale}"${o.guests === false ? ' data-guests="false"' : ''} async`),
    ],
  });
}

export function renderListingPage(o: { assets: DemoAssets; site: string }): string {
  const card = (a: DemoArticle, lead = false) => {
    const href = a.id === SAMPLE.id ? '/demo/article' : `/demo/article?article=${encodeURIComponent(a.id)}`;
    return `<li class="card${lead ? ' lead' : ''}">
  <p class="kicker">${esc(a.category)}</p>
  <h2><a href="${href}">${esc(a.title)}</a></h2>
  <p class="excerpt">${esc(a.paragraphs[0] ?? '')}</p>
  <p class="meta"><time datetime="${esc(a.published)}">${esc(a.publishedText)}</time>
    <a class="count" href="${href}#comments" aria-label="टिप्पणियाँ"><span aria-hidden="true">💬</span> <span data-charcha-count="${esc(a.id)}">·</span></a></p>
</li>`;
  };
  const body = `<main class="wrap page listing">
<h1 class="section-h">ताज़ा ख़बरें</h1>
<ul class="cards">
${card(SAMPLE, true)}
${PLACEHOLDERS.map((a) => card(a)).join('\n')}
</ul>
<p class="demo-note">Demo of the comment-count badges: <code>&lt;span data-charcha-count="ARTICLE-ID"&gt;&lt;/span&gt;</code>, filled by embed.js.
  <a href="/demo/article">Sample article (Hindi)</a> · <a href="/demo/article?lang=en">with the widget in English</a></p>
</main>`;
  return layout({
    lang: 'hi',
    title: 'चर्चा समाचार: ताज़ा ख़बरें',
    assets: o.assets,
    body,
    scripts: [script(o.assets.url('embed.js'), ` data-site="${esc(o.site)}" async`)],
  });
}

/** A staff page (the console, the dashboard): a shell into which its bundle renders. */
export function renderStaffPage(o: { assets: DemoAssets; site: string; bundle: string; rootId: string; title: string; noscript: string }): string {
  const css = o.assets.url(`${o.bundle}.css`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>${esc(o.title)}</title>
${css ? `<link rel="stylesheet" href="${esc(css)}">` : ''}
</head>
<body>
<div id="${esc(o.rootId)}" data-site="${esc(o.site)}"><noscript>${esc(o.noscript)}</noscript></div>
${script(o.assets.url(`${o.bundle}.js`), ' defer')}
</body>
</html>
`;
}

/** The moderator console's page: a shell that loads console.js. */
export function renderConsolePage(o: { assets: DemoAssets; site: string }): string {
  return renderStaffPage({ ...o, bundle: 'console', rootId: 'charcha-console', title: 'Charcha moderation', noscript: 'The moderator console needs JavaScript.' });
}
