// Who the reader is: a token from data-token or the host's hook window.charcha.getToken.
// The widget only reads the token's claims to show the name and own-comment controls;
// the server is what verifies it.
import { decodeJwt } from '../../client-sdk/src/token';
export interface HostHooks {
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  signIn?: () => unknown;
}

export interface Reader {
  token: string;
  id: string;
  name: string;
  role: string;
  picture?: string;
}

declare global {
  interface Window {
    charcha?: HostHooks;
  }
}

export function hooks(): HostHooks {
  return window.charcha ?? {};
}

export function readClaims(token: string): Reader | null {
  const claims = decodeJwt(token);
  if (typeof claims?.sub !== 'string' || typeof claims.name !== 'string') return null;
  return { token, id: claims.sub, name: claims.name, role: String(claims.role ?? 'commenter'), picture: claims.picture as string | undefined };
}

/** The reader's current token: the host's hook first (it may refresh), else data-token. */
export async function currentReader(dataToken?: string): Promise<Reader | null> {
  let token: string | null | undefined = dataToken;
  const getToken = hooks().getToken;
  if (getToken) {
    try {
      token = (await getToken()) ?? token;
    } catch {
      /* a failing hook means: not signed in */
    }
  }
  return token ? readClaims(token) : null;
}
