// Per-request site and actor: the site from the path, CORS for the site's origins, and the
// caller from the bearer token (none: an anonymous reader).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Actor } from '../domain/actor';
import { DomainError } from '../domain/errors';
import { clientAddress } from '../trust/address';
import { anonymous, identify } from '../trust/auth';
import { originAllowed, type SiteRegistry } from '../trust/sites';

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor;
  }
}

export function actorOf(req: Request): Actor {
  if (!req.actor) throw new DomainError('unavailable', 'No actor on request');
  return req.actor;
}

export function siteAndActor(sites: SiteRegistry, trustProxy: number): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const site = sites.get(String(req.params.site));
    if (!site) return next(new DomainError('not_found', 'Unknown site'));
    const origin = req.headers.origin;
    if (origin) {
      if (!originAllowed(site, origin)) return next(new DomainError('forbidden', 'Origin not allowed for this site'));
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After, ETag');
      res.setHeader('Access-Control-Max-Age', '600');
      if (req.method === 'OPTIONS') return void res.status(204).end();
    }
    const header = req.headers.authorization;
    let token: string | undefined;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) return next(new DomainError('unauthorized', 'Authorization must be "Bearer <token>"'));
      token = m[1];
    }
    const ip = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustProxy);
    // Anonymous readers (most requests) go on at once; a token is verified first.
    if (!token) {
      req.actor = anonymous(site, ip);
      return next();
    }
    identify(site, token, ip).then(
      (actor) => {
        req.actor = actor;
        next();
      },
      (err: unknown) => next(err),
    );
  };
}
