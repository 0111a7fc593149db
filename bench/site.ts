// The site the benchmark posts to: its own secret, no premoderation, and every rate limit
// raised far above what the run sends, so that the run measures the work and not the limits.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { LIMIT_NAMES } from '../server/src/trust/limit-rules';

export const SITE_ID = 'bench';

/** Every rate limit (server/src/trust/limit-rules.ts), at the most a site may allow: 10^6 a second. */
const RAISED = { points: 1_000_000, duration: 1 };

export interface BenchSite {
  id: string;
  secret: string;
  file: string;
}

export function writeBenchSite(dir: string): BenchSite {
  const secret = randomBytes(32).toString('hex');
  const site = {
    id: SITE_ID,
    secret,
    origins: ['http://127.0.0.1:*'],
    guests: false,
    premod: 'off',
    limits: Object.fromEntries(LIMIT_NAMES.map((n) => [n, RAISED])),
  };
  const file = join(dir, 'sites.json');
  writeFileSync(file, JSON.stringify([site], null, 2));
  return { id: SITE_ID, secret, file };
}

/** A commenter's token, as the host site signs it. */
export async function signUserToken(site: BenchSite, sub: string, name: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub, name, role: 'commenter' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + 6 * 3600)
    .sign(new TextEncoder().encode(site.secret));
}
