// The rate-limit buckets and their defaults. A site may override any of them in its
// `limits` field: `{ "post:user:burst": { "points": 5, "duration": 10 } }`.

export interface LimitRule {
  /** Actions allowed in one window. */
  points: number;
  /** Window length in seconds. */
  duration: number;
}

export const DEFAULT_LIMITS = {
  /** A signed-in user's posts: a short burst, then an hourly cap. */
  'post:user:burst': { points: 3, duration: 10 },
  'post:user:hour': { points: 20, duration: 3600 },
  /** Guests are unverified and keyed by address (a new name does not buy a new bucket). */
  'post:guest:burst': { points: 2, duration: 30 },
  'post:guest:hour': { points: 8, duration: 3600 },
  /** Every post from one address, whoever signs it (rotating tokens from one machine). */
  'post:ip': { points: 30, duration: 60 },
  /** Every post on the site, against floods spread over many addresses. */
  'post:site': { points: 600, duration: 60 },
  'edit:user': { points: 6, duration: 60 },
  'react:user': { points: 30, duration: 10 },
  'react:ip': { points: 120, duration: 10 },
  'flag:user': { points: 5, duration: 60 },
  'flag:ip': { points: 20, duration: 60 },
  /** New Socket.IO connections from one address. */
  'connect:ip': { points: 60, duration: 60 },
  /** Events on one connection; a socket at twice this rate is disconnected. */
  'event:socket': { points: 40, duration: 10 },
} as const satisfies Record<string, LimitRule>;

export type LimitName = keyof typeof DEFAULT_LIMITS;

export const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as LimitName[];

/** A connection whose events reach this multiple of `event:socket` in one window is cut. */
export const FLOOD_FACTOR = 2;

export function isLimitName(name: string): name is LimitName {
  return Object.hasOwn(DEFAULT_LIMITS, name);
}
