// Who is acting: a verified user, a guest, or an anonymous reader. Built by trust/auth.
import type { Role } from '../../../client-sdk/src/protocol';
import type { Site } from '../trust/sites';

export interface Actor {
  site: Site;
  /** Stable id: the token's `sub`, or a derived `g_…` id for guests; null for anonymous readers. */
  userId: string | null;
  name: string | null;
  picture?: string;
  role: Role;
  guest: boolean;
  /** Client address key (IPv6 reduced to its /64). */
  ip: string;
  /** When the token stops holding, in seconds since the epoch (signed-in users only). */
  exp?: number;
}

export const isModerator = (a: Pick<Actor, 'role'>) => a.role === 'moderator' || a.role === 'admin';
