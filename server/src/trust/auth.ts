// Identity: HS256 JWTs signed by the host site with its secret, verified with jose, which
// pins the algorithm (so `alg: none` and every other algorithm are refused).
import { createHash } from 'node:crypto';
import { errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { Actor } from '../domain/actor';
import { DomainError } from '../domain/errors';
import { cleanName, collapseName, MAX_NAME } from './sanitize';
import type { Site } from './sites';

const Claims = z.object({
  sub: z.string().min(1).max(128),
  name: z.string().min(1).max(1000),
  exp: z.number(),
  iat: z.number().optional(),
  role: z.enum(['commenter', 'moderator', 'admin']).default('commenter'),
  picture: z.string().url().startsWith('https://').max(2048).optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
});

/** Ids of imported authors (domain/imports) start with this; tokens may not claim them. */
export const IMPORTED_PREFIX = 'imp:';

const keys = new WeakMap<Site, Uint8Array>();
function keyOf(site: Site): Uint8Array {
  let k = keys.get(site);
  if (!k) keys.set(site, (k = new TextEncoder().encode(site.secret)));
  return k;
}

const unauthorized = (m: string) => new DomainError('unauthorized', m);

/** A reader without a token. */
export function anonymous(site: Site, ip: string): Actor {
  return { site, userId: null, name: null, role: 'commenter', guest: false, ip };
}

/** The actor a request or socket speaks for. No token: an anonymous reader (a guest once it names itself). */
export async function identify(site: Site, token: string | undefined, ip: string): Promise<Actor> {
  if (!token) return anonymous(site, ip);
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, keyOf(site), { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw unauthorized('Token expired');
    throw unauthorized('Invalid token');
  }
  const claims = Claims.safeParse(payload);
  if (!claims.success) {
    const field = claims.error.issues[0]?.path.join('.') || 'claims';
    throw unauthorized(`Invalid token: bad or missing claim "${field}"`);
  }
  checkAudience(site, claims.data.aud);
  // Authors of imported comments are `imp:<source>:…`: no token may speak for them.
  if (claims.data.sub.startsWith(IMPORTED_PREFIX)) throw unauthorized(`Invalid token: a "sub" starting with "${IMPORTED_PREFIX}" is reserved for imported authors`);
  // The contract fixes names at 1-80 characters: a token outside that is the host site's
  // bug, refused rather than silently cut (counted after bidi/invisible removal and collapsing).
  const name = collapseName(claims.data.name);
  if (!name) throw unauthorized('Invalid token: empty name');
  if ([...name].length > MAX_NAME) throw unauthorized(`Invalid token: name longer than ${MAX_NAME} characters`);
  return {
    site,
    userId: claims.data.sub,
    name,
    picture: claims.data.picture,
    role: claims.data.role,
    guest: false,
    ip,
    exp: claims.data.exp,
  };
}

/**
 * The token's audience: when present it must name the site (a string equal to the site's id,
 * or a list holding it); a site with `requireAudience` refuses tokens without one.
 */
function checkAudience(site: Site, aud: string | string[] | undefined): void {
  if (aud === undefined) {
    if (site.requireAudience) throw unauthorized(`Invalid token: the "aud" claim is required and must be "${site.id}"`);
    return;
  }
  const names = Array.isArray(aud) ? aud : [aud];
  if (!names.includes(site.id)) throw unauthorized(`Invalid token: "aud" does not name this site ("${site.id}")`);
}

/**
 * A guest posting under a name: unverified, so keyed by site and address alone (IPv6 by its
 * /64). The name is only what readers see: typing another one gives no new identity, so no
 * second reaction and no way around a ban of the address's guest.
 */
export function asGuest(actor: Actor, rawName: string): Actor {
  if (actor.userId && !actor.guest) return actor; // signed-in users post as themselves
  if (!actor.site.guests) throw new DomainError('unauthorized', 'Sign in to comment on this site');
  const name = cleanName(rawName);
  if (!name) throw new DomainError('bad_request', 'A guest needs a name');
  return { ...actor, userId: guestId(actor.site.id, actor.ip), name, guest: true, role: 'commenter' };
}

/** The id every guest of `site` at address key `ip` shares. */
export function guestId(site: string, ip: string): string {
  return 'g_' + createHash('sha256').update(`${site}\u0000${ip}`).digest('hex').slice(0, 20);
}
