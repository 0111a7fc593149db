// A signed-in reader's notifications over HTTP: the list (newest first, by cursor) and the
// read mark. Guests and anonymous readers get 401.
import { Router } from 'express';
import { z } from 'zod';
import { NotificationId } from '../domain/notifications';
import { parseInput } from '../domain/inputs';
import type { Services } from '../services';
import { actorOf } from './identity';

export const ListQuery = z.strictObject({
  cursor: NotificationId.optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
export const ReadBody = z.strictObject({ upTo: NotificationId });

export function notificationsRouter(services: Services): Router {
  const r = Router({ mergeParams: true });
  r.get('/me/notifications', async (req, res) => {
    const actor = actorOf(req);
    const query = parseInput(ListQuery, req.query);
    res.setHeader('Cache-Control', 'private, no-store');
    res.json(await services.notifications!.list(actor, query));
  });
  r.get('/me/notifications/unread', async (req, res) => {
    const actor = actorOf(req);
    parseInput(z.strictObject({}), req.query);
    res.setHeader('Cache-Control', 'private, no-store');
    res.json(await services.notifications!.unread(actor));
  });
  r.post('/me/notifications/read', async (req, res) => {
    const actor = actorOf(req);
    const { upTo } = parseInput(ReadBody, req.body ?? {});
    const { unread } = await services.notifications!.markRead(actor, upTo);
    res.json({ unread });
  });
  return r;
}
