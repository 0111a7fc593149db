// The engagement statistics, under /api/v1/sites/:site/admin/stats: moderators and admins
// (unlike the rest of admin/, which is admins only: mounted before it). Only translation
// between requests and server/src/stats.
import { Router } from 'express';
import { z } from 'zod';
import { DomainError } from '../domain/errors';
import { ArticleId, parseInput } from '../domain/inputs';
import { requireModerator } from '../domain/moderation';
import type { Services } from '../services';
import { HOUR_MS } from '../stats/counts';
import { MAX_RANGE_MS } from '../stats/queries';
import { actorOf } from './identity';

/** An instant: ISO 8601 or milliseconds since the epoch. */
const Instant = z
  .string()
  .transform((s, ctx) => {
    const ms = /^\d{1,15}$/.test(s) ? Number(s) : Date.parse(s);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'an ISO 8601 time or milliseconds since the epoch' });
      return z.NEVER;
    }
    return ms;
  });
export const SeriesQuery = z.strictObject({ from: Instant.optional(), to: Instant.optional(), article: ArticleId.optional() });
/** `30m`, `1h`, `24h`, `7d`. */
const Window = z
  .string()
  .regex(/^\d{1,4}[mhd]$/, 'a window such as 30m, 1h or 7d')
  .transform((s) => Number(s.slice(0, -1)) * { m: 60_000, h: HOUR_MS, d: 24 * HOUR_MS }[s.slice(-1) as 'm' | 'h' | 'd'])
  .refine((ms) => ms >= 60_000 && ms <= MAX_RANGE_MS, 'a window from 1m to 31d');
export const TopQuery = z.strictObject({ by: z.enum(['readers', 'comments', 'reactions']).default('comments'), window: Window.default(HOUR_MS) });

const DEFAULT_RANGE_MS = 6 * HOUR_MS;

export function statsRouter(services: Services): Router {
  const r = Router({ mergeParams: true });
  const stats = () => {
    if (!services.stats) throw new DomainError('unavailable', 'Statistics are off on this server (STATS=off)');
    return services.stats;
  };

  r.use('/admin/stats', (req, _res, next) => {
    requireModerator(actorOf(req));
    next();
  });

  r.get('/admin/stats', async (req, res) => {
    const q = parseInput(SeriesQuery, req.query);
    const to = q.to ?? Date.now();
    const from = q.from ?? to - DEFAULT_RANGE_MS;
    if (from >= to) throw new DomainError('bad_request', 'from: must be before to');
    if (to - from > MAX_RANGE_MS) throw new DomainError('bad_request', 'from: the range may span 31 days at most');
    const site = actorOf(req).site.id;
    const s = stats();
    const [series, backlog] = await Promise.all([s.queries.series(site, from, to, q.article), s.backlog(site)]);
    res.set('Cache-Control', 'private, no-store').json({ ...series, backlog });
  });

  r.get('/admin/stats/top', async (req, res) => {
    const q = parseInput(TopQuery, req.query);
    const site = actorOf(req).site.id;
    const articles = await stats().queries.top(site, q.by, q.window);
    res.set('Cache-Control', 'private, no-store').json({ by: q.by, windowMs: q.window, articles });
  });

  return r;
}
