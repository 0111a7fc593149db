// The demo site's side of sign-in: what a publisher's own login does. It mints a demo token
// (HS256 with the local demo secret, which only the demo site accepts) and hands it to the
// widget through window.charcha = { getToken, signIn }. Never do this with a real secret:
// real sites sign tokens on their server.
const KEY = 'charcha-demo-token';
const SECRET = 'demo-secret';

const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const enc = (s: string) => new TextEncoder().encode(s);

async function mint(name: string, role: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const sub = `demo-${b64url(crypto.getRandomValues(new Uint8Array(6)))}`;
  const head = b64url(enc(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
  const body = b64url(enc(JSON.stringify({ sub, name, role, iat: now, exp: now + 8 * 3600 })));
  const key = await crypto.subtle.importKey('raw', enc(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', key, enc(`${head}.${body}`)));
  return `${head}.${body}.${b64url(sig)}`;
}

function stored(): string | null {
  const token = sessionStorage.getItem(KEY);
  if (!token) return null;
  try {
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))));
    if (claims.exp * 1000 > Date.now()) return token;
  } catch {
    /* fall through */
  }
  sessionStorage.removeItem(KEY);
  return null;
}

function el<T extends HTMLElement>(tag: string, props: Record<string, unknown> = {}, ...kids: (Node | string)[]): T {
  const e = Object.assign(document.createElement(tag), props) as T;
  e.append(...kids);
  return e;
}

function askName(): Promise<string | null> {
  return new Promise((resolve) => {
    const name = el<HTMLInputElement>('input', { name: 'name', required: true, maxLength: 80, autocomplete: 'name', value: 'डेमो पाठक' });
    const role = el<HTMLSelectElement>('select', { name: 'role' }, el('option', { value: 'commenter' }, 'पाठक (commenter)'), el('option', { value: 'moderator' }, 'मॉडरेटर (moderator)'));
    const form = el(
      'form',
      { method: 'dialog' },
      el('h2', {}, 'डेमो साइन इन'),
      el('p', {}, 'Demo only: the page signs a token with the local demo secret.'),
      el('label', {}, 'नाम / Name', name),
      el('label', {}, 'भूमिका / Role', role),
      el('menu', {}, el('button', { value: 'cancel', type: 'submit', formNoValidate: true }, 'रद्द करें'), el('button', { value: 'ok', type: 'submit' }, 'साइन इन')),
    );
    const dialog = el<HTMLDialogElement>('dialog', { className: 'signin' }, form);
    document.body.append(dialog);
    dialog.addEventListener('close', async () => {
      dialog.remove();
      if (dialog.returnValue !== 'ok' || !name.value.trim()) return resolve(null);
      const token = await mint(name.value.trim(), role.value);
      sessionStorage.setItem(KEY, token);
      renderAccount();
      resolve(token);
    });
    dialog.showModal();
  });
}

function renderAccount() {
  const box = document.getElementById('demo-account');
  if (!box) return;
  const token = stored();
  box.replaceChildren();
  if (token) {
    const name = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)))).name;
    box.append(el('span', {}, name), el('button', { type: 'button', onclick: () => (sessionStorage.removeItem(KEY), location.reload()) }, 'साइन आउट'));
  } else {
    box.append(el('button', { type: 'button', onclick: () => askName().then((t) => t && location.reload()) }, 'साइन इन'));
  }
}

(window as unknown as { charcha: unknown }).charcha = {
  getToken: () => stored(),
  signIn: () => askName(),
};

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', renderAccount);
else renderAccount();
