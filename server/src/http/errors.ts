// The one mapping from errors to HTTP answers: every non-2xx body is the contract's shape.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ErrorCode } from '../../../client-sdk/src/protocol';
import { DomainError, toErrorBody } from '../domain/errors';
import type { Logger } from '../log';

export const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  locked: 423,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** Errors raised by Express's own body parser, as domain errors. */
function fromParser(err: { type?: string; status?: number }): DomainError | null {
  if (err.type === 'entity.too.large') return new DomainError('too_large', 'Request body too large');
  if (err.type === 'entity.parse.failed') return new DomainError('bad_request', 'Malformed JSON body');
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') return new DomainError('bad_request', 'Body must be UTF-8 JSON');
  if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) return new DomainError('bad_request', 'Bad request');
  return null;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const domain = err instanceof DomainError ? err : fromParser(err ?? {});
    const body = toErrorBody(domain ?? err);
    const status = STATUS[body.error.code];
    if (!domain) log.error({ err, method: req.method, path: req.path }, 'request failed');
    if (body.error.retryAfter !== undefined) res.setHeader('Retry-After', String(Math.ceil(body.error.retryAfter)));
    if (!res.headersSent) res.status(status).json(body);
  };
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new DomainError('not_found', 'No such route'));
