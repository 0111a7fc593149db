// Moderation over HTTP, under /api/v1/sites/:site/moderation: only translation between
// requests and the domain (which checks the role again). Others get 401/403.
import { Router } from 'express';
import { ArticleId, CommentId, parseInput } from '../domain/inputs';
import { requireModerator } from '../domain/moderation';
import { ArticleSettingsBody, DecideBody, LogQuery, QueueQuery, UserActionBody, UserId } from '../domain/moderation-inputs';
import type { Services } from '../services';
import { actorOf } from './identity';

export function moderationRouter(services: Services): Router {
  const { moderation } = services;
  const r = Router({ mergeParams: true });

  r.use('/moderation', (req, _res, next) => {
    requireModerator(actorOf(req));
    next();
  });

  r.get('/moderation/queue', async (req, res) => {
    const query = parseInput(QueueQuery, req.query);
    res.json(await moderation.decisions.queue.page(actorOf(req).site.id, query));
  });

  r.get('/moderation/counts', async (req, res) => {
    res.json(await moderation.decisions.queue.counts(actorOf(req).site.id));
  });

  r.post('/moderation/comments/:id', async (req, res) => {
    const id = parseInput(CommentId, req.params.id);
    const input = parseInput(DecideBody, req.body);
    res.json(await moderation.decisions.decide(actorOf(req), id, input));
  });

  r.get('/moderation/users/:userId', async (req, res) => {
    const userId = parseInput(UserId, req.params.userId);
    res.json(await moderation.users.state(actorOf(req).site.id, userId));
  });

  r.post('/moderation/users/:userId', async (req, res) => {
    const userId = parseInput(UserId, req.params.userId);
    const input = parseInput(UserActionBody, req.body);
    res.json(await moderation.users.act(actorOf(req), userId, input));
  });

  r.put('/moderation/articles/:article', async (req, res) => {
    const article = parseInput(ArticleId, req.params.article);
    const input = parseInput(ArticleSettingsBody, req.body);
    res.json(await moderation.articles.update(actorOf(req), article, input));
  });

  // Counters that heal: recount an article's comment, top-level and reply counts on demand.
  r.post('/moderation/articles/:article/recount', async (req, res) => {
    const article = parseInput(ArticleId, req.params.article);
    res.json(await services.comments.lifecycle.recounts.recount(actorOf(req).site.id, article));
  });

  r.get('/moderation/log', async (req, res) => {
    const query = parseInput(LogQuery, req.query);
    res.json(await moderation.decisions.log.page(actorOf(req).site.id, query));
  });

  return r;
}
