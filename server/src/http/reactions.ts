// Reactions over HTTP: PUT sets, DELETE clears, on a comment or on the article itself. The
// same domain call as the `reaction:set` event.
import { Router, type Request, type Response } from 'express';
import type { ReactionTarget } from '../../../client-sdk/src/protocol';
import { ArticleId, CommentId, ReactionBody, ReactionKind, parseInput } from '../domain/inputs';
import type { Services } from '../services';
import { actorOf } from './identity';

export function reactionsRouter(services: Services): Router {
  const r = Router({ mergeParams: true });

  const react = (target: (req: Request) => ReactionTarget, on: boolean) => async (req: Request, res: Response) => {
    const t = target(req);
    const kind = parseInput(ReactionKind, req.params.kind);
    const { guest } = parseInput(ReactionBody, req.body ?? {});
    const actor = actorOf(req);
    await services.limits?.react?.(actor);
    res.json(await services.reactions.set(actor, { target: t, kind, on, guest }));
  };
  const comment = (req: Request): ReactionTarget => ({ comment: parseInput(CommentId, req.params.id) });
  const article = (req: Request): ReactionTarget => ({ article: parseInput(ArticleId, req.params.article) });

  r.put('/comments/:id/reactions/:kind', react(comment, true));
  r.delete('/comments/:id/reactions/:kind', react(comment, false));
  r.put('/articles/:article/reactions/:kind', react(article, true));
  r.delete('/articles/:article/reactions/:kind', react(article, false));
  return r;
}
