// Who may connect: the site must exist, the Origin must be one of the site's, the address
// must be under its connection limit, and a token, when given, must verify. The socket keeps
// a plain identity (realtime/session.ts); the token itself is taken out of the handshake.
import type { Socket } from 'socket.io';
import { DomainError, toErrorBody } from '../domain/errors';
import { clientAddress } from '../trust/address';
import { identify } from '../trust/auth';
import type { Limits } from '../services';
import { originAllowed, type SiteRegistry } from '../trust/sites';
import { identityOf, type SocketData } from './session';

export type { SocketData } from './session';

/** A handshake refusal carries the contract's error body in `err.data`. */
export function refuse(err: unknown): Error {
  const body = toErrorBody(err);
  const e = new Error(body.error.message) as Error & { data: unknown };
  e.data = body;
  return e;
}

export function handshake(sites: SiteRegistry, trustProxy: number, limits?: Pick<Limits, 'connection'>) {
  return async (socket: Socket, next: (err?: Error) => void) => {
    try {
      const auth = (socket.handshake.auth ?? {}) as { site?: unknown; token?: unknown };
      const site = typeof auth.site === 'string' ? sites.get(auth.site) : undefined;
      if (!site) throw new DomainError('not_found', 'Unknown site');
      if (!originAllowed(site, socket.handshake.headers.origin)) throw new DomainError('forbidden', 'Origin not allowed for this site');
      const token = typeof auth.token === 'string' && auth.token ? auth.token : undefined;
      // The handshake travels with the socket through Redis (fetchSockets): no credentials in it.
      socket.handshake.auth = { site: site.id };
      delete socket.handshake.headers.authorization;
      delete socket.handshake.headers.cookie;
      const ip = clientAddress(socket.handshake.address, socket.handshake.headers['x-forwarded-for'], trustProxy);
      await limits?.connection(site, ip);
      (socket.data as SocketData).identity = identityOf(await identify(site, token, ip));
      next();
    } catch (err) {
      next(refuse(err));
    }
  };
}
