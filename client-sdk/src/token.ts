// The caller's identity: a fixed token, or a function the SDK calls again whenever the server
// says the token it holds has expired. Concurrent refreshes share one call.
import { UnauthorizedError, asCharchaError } from './errors';
import type { Role } from './protocol';

export type TokenValue = string | null | undefined;
/** A JWT, nothing (an anonymous reader), or a function that fetches a fresh one. */
export type TokenOption = TokenValue | (() => TokenValue | Promise<TokenValue>);

/** The claims the SDK reads from a token (decoded, not verified: the server verifies). */
export interface TokenClaims {
  sub: string;
  name: string;
  exp?: number;
  role?: Role;
  picture?: string;
}

export class TokenSource {
  private value: string | undefined;
  private known: boolean;
  private inflight: Promise<string | undefined> | undefined;
  private generation = 0;

  constructor(private option: TokenOption) {
    this.known = typeof option !== 'function';
    this.value = typeof option === 'function' ? undefined : option || undefined;
  }

  /** True when the option is a function, so an expired token can be replaced. */
  get refreshable(): boolean {
    return typeof this.option === 'function';
  }

  /** The token last obtained (undefined before the first call of a token function). */
  get current(): string | undefined {
    return this.value;
  }

  get claims(): TokenClaims | undefined {
    return this.value ? claimsOf(this.value) : undefined;
  }

  /** The token to send now: the known one, or the function's first answer. */
  get(): Promise<string | undefined> {
    return this.known ? Promise.resolve(this.value) : this.refresh();
  }

  /** Calls the token function again (a fixed token is returned as it is). */
  refresh(): Promise<string | undefined> {
    const fn = this.option;
    if (typeof fn !== 'function') return Promise.resolve(this.value);
    if (this.inflight) return this.inflight;
    const generation = this.generation;
    const p = Promise.resolve()
      .then(() => fn())
      .then(
        (token) => {
          if (generation === this.generation) {
            this.value = token || undefined;
            this.known = true;
          }
          return this.value;
        },
        (err: unknown) => {
          throw new UnauthorizedError(`The token function failed: ${asCharchaError(err).message}`, { cause: err });
        },
      )
      .finally(() => {
        if (this.inflight === p) this.inflight = undefined;
      });
    this.inflight = p;
    return p;
  }

  /** Replaces the option (sign-in, sign-out). */
  set(option: TokenOption): void {
    this.generation++;
    this.option = option;
    this.inflight = undefined;
    this.known = typeof option !== 'function';
    this.value = typeof option === 'function' ? undefined : option || undefined;
  }
}

/** The payload of a JWT, without verifying it; undefined when it is not one. */
export function decodeJwt(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const json = utf8(base64UrlBytes(part));
    const payload = JSON.parse(json) as unknown;
    return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function claimsOf(token: string): TokenClaims | undefined {
  const p = decodeJwt(token);
  if (!p || typeof p.sub !== 'string') return undefined;
  const claims: TokenClaims = { sub: p.sub, name: typeof p.name === 'string' ? p.name : '' };
  if (typeof p.exp === 'number') claims.exp = p.exp;
  if (p.role === 'commenter' || p.role === 'moderator' || p.role === 'admin') claims.role = p.role;
  if (typeof p.picture === 'string') claims.picture = p.picture;
  return claims;
}

// atob and TextDecoder are missing on some React Native engines: decode by hand.
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function base64UrlBytes(s: string): number[] {
  const clean = s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of clean) {
    const v = B64.indexOf(ch);
    if (v < 0) throw new Error('not base64url');
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return out;
}

function utf8(bytes: number[]): string {
  let encoded = '';
  for (const b of bytes) encoded += '%' + (b < 16 ? '0' : '') + b.toString(16);
  return decodeURIComponent(encoded);
}
