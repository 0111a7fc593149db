// Readers report a comment: POST /comments/:id/flags {reason, note?} → 202.
import { Router } from 'express';
import { CommentId, parseInput } from '../domain/inputs';
import { FlagBody } from '../domain/moderation-inputs';
import type { Services } from '../services';
import { actorOf } from './identity';

export function flagsRouter(services: Services): Router {
  const r = Router({ mergeParams: true });
  r.post('/comments/:id/flags', async (req, res) => {
    const id = parseInput(CommentId, req.params.id);
    const input = parseInput(FlagBody, req.body);
    await services.limits?.flag(actorOf(req));
    await services.moderation.flags.flag(actorOf(req), id, input);
    res.status(202).json({});
  });
  return r;
}
