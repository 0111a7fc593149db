// Comment threads over HTTP: only translation between requests and the domain.
import { Router } from 'express';
import { DomainError } from '../domain/errors';
import { ArticleId, CommentId, CountsQuery, EditBody, ListQuery, PostBody, parseInput } from '../domain/inputs';
import type { Services } from '../services';
import { sendPrivate, sendShared, sendWithETag } from './etag';
import { actorOf } from './identity';

export const MAX_COUNT_ARTICLES = 100;

export function commentsRouter(services: Services): Router {
  const { comments } = services;
  const r = Router({ mergeParams: true });

  // Anonymous readers share serialised answers (one per page and seq); signed-in readers get
  // the same page with their own reactions.
  r.get('/articles/:article', async (req, res) => {
    const article = parseInput(ArticleId, req.params.article);
    const actor = actorOf(req);
    if (actor.userId) sendPrivate(res, await comments.getArticle(actor, article));
    else sendShared(req, res, await comments.reads.sharedArticle(actor.site, article));
  });

  r.get('/articles/:article/comments', async (req, res) => {
    const article = parseInput(ArticleId, req.params.article);
    const query = parseInput(ListQuery, req.query);
    const actor = actorOf(req);
    if (actor.userId) sendPrivate(res, await comments.listComments(actor, article, query));
    else sendShared(req, res, await comments.reads.sharedPage(actor.site.id, article, query));
  });

  r.post('/articles/:article/comments', async (req, res) => {
    const article = parseInput(ArticleId, req.params.article);
    const input = parseInput(PostBody, req.body);
    const actor = actorOf(req);
    await services.limits?.post(actor, input.guest !== undefined);
    const { comment, created } = await comments.postComment(actor, { ...input, article });
    res.status(created ? 201 : 200).json(comment);
  });

  r.get('/comments/:id', async (req, res) => {
    const id = parseInput(CommentId, req.params.id);
    res.json(await comments.getComment(actorOf(req), id));
  });

  r.patch('/comments/:id', async (req, res) => {
    const id = parseInput(CommentId, req.params.id);
    const { body } = parseInput(EditBody, req.body);
    await services.limits?.edit(actorOf(req));
    res.json(await comments.editComment(actorOf(req), id, body));
  });

  r.delete('/comments/:id', async (req, res) => {
    const id = parseInput(CommentId, req.params.id);
    await comments.deleteComment(actorOf(req), id);
    res.status(204).end();
  });

  r.get('/counts', async (req, res) => {
    const { articles } = parseInput(CountsQuery, req.query);
    const ids = [...new Set(articles.split(',').map((a) => a.trim()).filter(Boolean))];
    if (ids.length === 0) throw new DomainError('bad_request', 'articles: give at least one article id');
    if (ids.length > MAX_COUNT_ARTICLES) throw new DomainError('bad_request', `articles: at most ${MAX_COUNT_ARTICLES} ids`);
    for (const id of ids) parseInput(ArticleId, id);
    const counts = await comments.counts(actorOf(req).site.id, ids); // one query, whatever the number of ids
    res.setHeader('Cache-Control', 'public, max-age=10');
    sendWithETag(req, res, { counts });
  });

  return r;
}
