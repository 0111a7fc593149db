// Who is on a socket, and until when. `socket.data` keeps a plain identity only: the site's
// id, never the Site (its secret), and never the token, since the adapter serialises
// `socket.data` and the handshake through Redis for `fetchSockets()`. Handlers build the
// actor from the identity and the site registry.
//
// A token holds until its `exp`: after it, events that need identity are refused with
// `unauthorized` until `auth:refresh` hands over a new token; a socket still expired
// `graceMs` later is disconnected.
import type { Socket } from 'socket.io';
import type { Actor } from '../domain/actor';
import { DomainError } from '../domain/errors';
import { identify } from '../trust/auth';
import type { Site, SiteRegistry } from '../trust/sites';

/** What a socket keeps about its user in `socket.data`: plain values only. */
export type SocketIdentity = Omit<Actor, 'site' | 'exp'> & {
  /** The site's id: the Site (with its secret) is looked up in the registry, never kept here. */
  site: string;
  /** The token's `exp` in seconds since the epoch; null for anonymous readers. */
  exp: number | null;
};

export interface SocketData {
  identity: SocketIdentity;
  /** Set when the connection flooded and is about to be cut. */
  flooding?: boolean;
}

export function identityOf(actor: Actor): SocketIdentity {
  const { site, userId, name, picture, role, guest, ip, exp } = actor;
  return { site: site.id, userId, name, ...(picture ? { picture } : {}), role, guest, ip, exp: exp ?? null };
}

/** The site a socket speaks for, from the registry (undefined before the handshake set it). */
export function siteOf(socket: Socket, sites: SiteRegistry): Site | undefined {
  const id = (socket.data as Partial<SocketData> | undefined)?.identity?.site;
  return id === undefined ? undefined : sites.get(id);
}

/** setTimeout's longest delay; later expiries are checked again after it. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class SocketSession {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly sites: SiteRegistry,
    private readonly graceMs: number,
  ) {
    this.schedule();
    socket.on('disconnect', () => clearTimeout(this.timer));
  }

  get identity(): SocketIdentity {
    return (this.socket.data as SocketData).identity;
  }

  /** The site's id: all that reading events need, whether or not the token still holds. */
  get site(): string {
    return this.identity.site;
  }

  /** The actor for an event that needs identity; `unauthorized` once the token has expired. */
  acting(): Actor {
    const { site: id, exp, ...rest } = this.identity;
    if (exp !== null && Date.now() >= exp * 1000) {
      throw new DomainError('unauthorized', 'Token expired: send auth:refresh with a new token');
    }
    const site = this.sites.get(id);
    if (!site) throw new DomainError('unavailable', 'Site no longer served');
    return { ...rest, site, ...(exp !== null ? { exp } : {}) };
  }

  /**
   * Verifies `token` for the socket's site and makes it the socket's identity. `accept` may
   * refuse the new actor (by throwing); the identity is then left as it was.
   */
  async refresh(token: string, accept?: (next: Actor) => void): Promise<Actor> {
    const site = this.sites.get(this.site);
    if (!site) throw new DomainError('unavailable', 'Site no longer served');
    const next = await identify(site, token, this.identity.ip);
    accept?.(next);
    (this.socket.data as SocketData).identity = identityOf(next);
    this.schedule();
    return next;
  }

  /** Disconnects the socket once its token has been expired for the grace period. */
  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { exp } = this.identity;
    if (exp === null) return;
    const due = exp * 1000 + this.graceMs - Date.now();
    if (due <= 0) {
      this.socket.disconnect();
      return;
    }
    this.timer = setTimeout(() => this.schedule(), Math.min(due, MAX_DELAY_MS));
    this.timer.unref();
  }
}
