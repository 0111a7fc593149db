// Who the reader is: a token from data-token or the host's hook window.charcha.getToken.
// The widget only reads the token's claims to show the name and own-comment controls;
// the server is what verifies it.
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
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part), (ch) => ch.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof claims.sub !== 'string' || typeof claims.name !== 'string') return null;
    return { token, id: claims.sub, name: claims.name, role: claims.role ?? 'commenter', picture: claims.picture };
  } catch {
    return null;
  }
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
