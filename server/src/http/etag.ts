// JSON answers with a weak ETag (a hash of the body), answered 304 without a body when the
// client's If-None-Match already names it.
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

export function weakETag(json: string): string {
  return `W/"${createHash('sha1').update(json).digest('base64url')}"`;
}

/** Does an If-None-Match header name this ETag (weak comparison, `*` matches anything)? */
export function matchesETag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  const want = opaque(etag);
  return header.split(',').some((t) => t.trim() === '*' || opaque(t) === want);
}

/** Sends `body` as JSON with its ETag, or 304 when the client has it already. */
export function sendWithETag(req: Request, res: Response, body: unknown): void {
  const json = JSON.stringify(body);
  const etag = weakETag(json);
  res.setHeader('ETag', etag);
  if (matchesETag(req.headers['if-none-match'], etag)) {
    res.status(304).end();
    return;
  }
  res.type('application/json').send(json);
}

/**
 * How long a shared (anonymous) answer may be reused by nginx, a CDN or the browser: one
 * second fresh, then served stale while one request revalidates it.
 */
export const SHARED_CACHE_CONTROL = 'public, max-age=1, stale-while-revalidate=5';

/** Sends bytes shared by every anonymous reader, with their ETag, or 304. */
export function sendShared(req: Request, res: Response, answer: { bytes: Buffer; etag: string }): void {
  res.setHeader('Cache-Control', SHARED_CACHE_CONTROL);
  res.vary('Authorization');
  res.setHeader('ETag', answer.etag);
  if (matchesETag(req.headers['if-none-match'], answer.etag)) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(answer.bytes);
}

/** Sends an answer made for one signed-in reader: no shared cache may keep it. */
export function sendPrivate(res: Response, body: unknown): void {
  res.setHeader('Cache-Control', 'private, no-cache');
  res.vary('Authorization');
  res.json(body);
}
