// Admin routes (role admin; moderators get 403) and a reader's own data, under
// /api/v1/sites/:site: only translation between requests and the domain. Exports and data
// reports are streamed as they are read. The import upload is in http/imports.ts (it takes a
// raw body, before the JSON parser).
import type { Response } from 'express';
import { Router } from 'express';
import { z } from 'zod';
import { exportComments } from '../domain/exports';
import { ArticleId, parseInput } from '../domain/inputs';
import { requireAdmin } from '../domain/moderation';
import { UserId } from '../domain/moderation-inputs';
import type { Services } from '../services';
import { actorOf } from './identity';

export const ExportQuery = z.strictObject({ article: ArticleId.optional() });
export const JobId = z.string().regex(/^[0-9a-f-]{36}$/, 'an import id');

export function adminRouter(services: Services): Router {
  const { dataRights } = services;
  const r = Router({ mergeParams: true });

  r.use('/admin', (req, _res, next) => {
    requireAdmin(actorOf(req));
    next();
  });

  r.get('/admin/export', async (req, res) => {
    const { article } = parseInput(ExportQuery, req.query);
    const site = actorOf(req).site.id;
    res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${site}${article ? '-' + encodeURIComponent(article) : ''}.ndjson"`);
    await stream(res, exportComments(services.models, { site, ...(article ? { article } : {}) }));
  });

  r.get('/admin/imports/:id', async (req, res) => {
    const id = parseInput(JobId, req.params.id);
    res.json(await services.imports.get(actorOf(req).site.id, id));
  });

  r.get('/admin/users/:userId/data', async (req, res) => {
    const userId = parseInput(UserId, req.params.userId);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    await stream(res, dataRights.report(actorOf(req), userId));
  });

  r.delete('/admin/users/:userId/data', async (req, res) => {
    const userId = parseInput(UserId, req.params.userId);
    res.json(await dataRights.erase(actorOf(req), userId));
  });

  r.get('/me/data', async (req, res) => {
    const pieces = dataRights.report(actorOf(req));
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    await stream(res, pieces);
  });

  r.delete('/me/data', async (req, res) => {
    res.json(await dataRights.erase(actorOf(req)));
  });

  return r;
}

/**
 * Writes the pieces as they come, waiting when the client reads slower than the database; a
 * client that goes away stops the reading. A failure after the first byte cuts the response
 * (its status is already sent); before it, it answers as any error does.
 */
async function stream(res: Response, pieces: AsyncGenerator<string>): Promise<void> {
  let started = false;
  try {
    for await (const piece of pieces) {
      if (res.destroyed) break;
      started = true;
      if (!res.write(piece)) await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  } catch (err) {
    if (!started) throw err;
    res.destroy(err as Error);
    return;
  } finally {
    await pieces.return(undefined);
  }
  res.end();
}
