// Who may connect: the site must exist, the Origin must be one of the site's, the address
// must be under its connection limit, and a token, when given, must verify. The actor is
// kept on the socket for every handler.
import type { Socket } from 'socket.io';
import type { Actor } from '../domain/actor';
import { DomainError, toErrorBody } from '../domain/errors';
import { clientAddress } from '../trust/address';
import { identify } from '../trust/auth';
import type { Limits } from '../services';
import { originAllowed, type SiteRegistry } from '../trust/sites';

export interface SocketData {
  actor: Actor;
  /** Set when the connection flooded and is about to be cut. */
  flooding?: boolean;
}

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
      const ip = clientAddress(socket.handshake.address, socket.handshake.headers['x-forwarded-for'], trustProxy);
      await limits?.connection(site, ip);
      (socket.data as SocketData).actor = await identify(site, token, ip);
      next();
    } catch (err) {
      next(refuse(err));
    }
  };
}
