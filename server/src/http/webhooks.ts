// Webhooks over HTTP, under /api/v1/sites/:site: the admin list with recent deliveries and
// re-enabling (admins), and which webhooks are disabled (moderators: the console's banner).
import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../domain/inputs';
import { requireAdmin, requireModerator } from '../domain/moderation';
import type { Webhooks } from '../domain/webhooks';
import { actorOf } from './identity';

export const HookId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a webhook id');

export function webhooksRouter(webhooks: Webhooks): Router {
  const r = Router({ mergeParams: true });

  r.get('/admin/webhooks', async (req, res) => {
    requireAdmin(actorOf(req));
    res.json(await webhooks.list(actorOf(req).site.id));
  });

  r.post('/admin/webhooks/:id/enable', async (req, res) => {
    requireAdmin(actorOf(req));
    const id = parseInput(HookId, req.params.id);
    res.json(await webhooks.enable(actorOf(req).site.id, id));
  });

  r.get('/moderation/webhooks', async (req, res) => {
    requireModerator(actorOf(req));
    res.json(await webhooks.summary(actorOf(req).site.id));
  });

  return r;
}
