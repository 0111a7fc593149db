// Tokens as a host site would sign them for its readers.
import { SignJWT } from 'jose';
import { DEMO_SECRET } from '../../server/src/trust/sites';

export interface TokenClaims {
  sub: string;
  name: string;
  role?: 'commenter' | 'moderator' | 'admin';
  picture?: string;
  /** Seconds from now until expiry (negative: already expired). Default one hour. */
  expSec?: number;
}

export async function signToken(claims: TokenClaims, secret = DEMO_SECRET): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const { expSec = 3600, ...rest } = claims;
  return new SignJWT({ ...rest })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + expSec)
    .sign(new TextEncoder().encode(secret));
}
