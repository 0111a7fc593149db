// The browser-facing files: /embed.js (the stable URL publishers embed, short cache), the
// content-hashed assets under /assets/ (immutable), the demo pages (/demo/, /demo/article) and
// the moderator console's page (/moderate, when its bundle was built). Files come from
// `npm run build` (scripts/build.mjs), listed by name in dist/web/manifest.json.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type Request, type Response } from 'express';
import {
  findArticle,
  renderArticlePage,
  renderConsolePage,
  renderListingPage,
  type DemoAssets,
} from '../../../web/demo/render';
import { renderDashboardPage } from '../../../web/dashboard/page';

export interface PagesOptions {
  /** The build's output folder, e.g. `dist/web`. */
  distDir: string;
  /** The sites Charcha serves; the demo pages need the `demo` site (404 without it). */
  sites: { get(id: string): { guests?: boolean } | undefined };
  /** The site the demo pages use; default `demo`. */
  demoSite?: string;
}

const ASSETS = '/assets/';
const FILE = /^[A-Za-z0-9._-]+$/;

/** manifest.json, read again only when the build rewrote it. */
function manifestReader(distDir: string) {
  const file = join(distDir, 'manifest.json');
  let cached: { mtime: number; map: Record<string, string> } | undefined;
  return (): Record<string, string> | undefined => {
    try {
      const mtime = statSync(file).mtimeMs;
      if (!cached || cached.mtime !== mtime) cached = { mtime, map: JSON.parse(readFileSync(file, 'utf8')) };
      return cached.map;
    } catch {
      return undefined;
    }
  };
}

function notBuilt(res: Response) {
  res.status(503).type('text/plain').send('The web assets are not built yet: run `npm run build`.\n');
}

export function pagesRouter(opts: PagesOptions): Router {
  const r = Router();
  const manifest = manifestReader(opts.distDir);
  const site = opts.demoSite ?? 'demo';
  const assets = (): DemoAssets | undefined => {
    const m = manifest();
    if (!m) return undefined;
    return { url: (name) => (m[name] ? (name === 'embed.js' ? '/embed.js' : ASSETS + m[name]) : undefined) };
  };
  const html = (res: Response, body: string) => {
    res.set('Cache-Control', 'no-cache').type('html').send(body);
  };

  // Scripts here are loaded by publishers' pages on other origins.
  const crossOrigin = (res: Response) => {
    res.set('Access-Control-Allow-Origin', '*');
    res.set('Cross-Origin-Resource-Policy', 'cross-origin');
    res.set('X-Content-Type-Options', 'nosniff');
  };

  r.get('/embed.js', (_req, res) => {
    const m = manifest();
    if (!m?.['embed.js']) return notBuilt(res);
    crossOrigin(res);
    res.sendFile(m['embed.js'], {
      root: opts.distDir,
      headers: { 'Cache-Control': 'public, max-age=300, stale-while-revalidate=86400' },
    });
  });

  r.use(
    ASSETS,
    (req, res, next) => {
      const name = req.path.slice(1);
      if (!FILE.test(name) || name === 'manifest.json' || name === 'embed.js' || name === 'embed.js.map') {
        res.status(404).type('text/plain').send('Not found\n');
        return;
      }
      crossOrigin(res);
      next();
    },
    express.static(opts.distDir, {
      index: false,
      redirect: false,
      setHeaders: (res) => res.setHeader('Cache-Control', 'public, max-age=31536000, immutable'),
    }),
    (_req: Request, res: Response) => {
      res.status(404).type('text/plain').send('Not found\n');
    },
  );

  // Express matches /demo and /demo/ alike: the listing lives at /demo/ (relative links).
  r.get('/demo/', (req, res) => {
    if (!req.path.endsWith('/')) return res.redirect(301, `${req.baseUrl}/demo/`);
    if (!opts.sites.get(site)) return res.status(404).type('text/plain').send('No demo site configured\n');
    const a = assets();
    if (!a) return notBuilt(res);
    html(res, renderListingPage({ assets: a, site }));
  });

  r.get('/demo/article', (req, res) => {
    const s = opts.sites.get(site);
    if (!s) return res.status(404).type('text/plain').send('No demo site configured\n');
    const article = findArticle(typeof req.query.article === 'string' ? req.query.article : undefined);
    if (!article) return res.status(404).type('text/plain').send('No such demo article\n');
    const a = assets();
    if (!a) return notBuilt(res);
    const lang = req.query.lang === 'en' ? 'en' : 'hi';
    html(res, renderArticlePage(article, { assets: a, site, locale: lang, guests: s.guests !== false }));
  });

  r.get('/moderate', (req, res, next) => {
    const a = assets();
    if (!a?.url('console.js')) return next();
    const chosen = typeof req.query.site === 'string' && opts.sites.get(req.query.site) ? req.query.site : site;
    html(res, renderConsolePage({ assets: a, site: chosen }));
  });

  r.get('/dashboard', (req, res, next) => {
    const a = assets();
    if (!a?.url('dashboard.js')) return next();
    const chosen = typeof req.query.site === 'string' && opts.sites.get(req.query.site) ? req.query.site : site;
    html(res, renderDashboardPage({ assets: a, site: chosen }));
  });

  return r;
}
