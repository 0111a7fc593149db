// The console's link to Charcha: HTTP for pages and user actions, the /moderation namespace
// for the live queue and for decisions.
import { io, type Socket } from 'socket.io-client';
import type {
  Comment,
  ErrorBody,
  ModerationAction,
  ModerationClientToServerEvents,
  ModerationServerToClientEvents,
  QueuePage,
  QueueState,
  UserModerationState,
} from '../../client-sdk/src/protocol';

export type ModSocket = Socket<ModerationServerToClientEvents, ModerationClientToServerEvents>;

export interface WebhookSummary {
  id: string;
  host: string;
  disabled: boolean;
  disabledAt: string | null;
  reason: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const isError = (x: unknown): x is ErrorBody => typeof x === 'object' && x !== null && 'error' in x;

export class ConsoleApi {
  constructor(
    readonly site: string,
    readonly token: string,
  ) {}

  private get base() {
    return `/api/v1/sites/${encodeURIComponent(this.site)}`;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.base + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await res.json().catch(() => null);
    if (!res.ok || isError(json)) throw new ApiError(json?.error?.code ?? 'unavailable', json?.error?.message ?? res.statusText);
    return json as T;
  }

  queue(state: QueueState, cursor?: string | null, article?: string | null): Promise<QueuePage> {
    const q = new URLSearchParams({ state, limit: '50' });
    if (cursor) q.set('cursor', cursor);
    if (article) q.set('article', article);
    return this.request('GET', `/moderation/queue?${q}`);
  }

  /** The site's webhooks, to show a banner when one is disabled. */
  webhooks(): Promise<{ webhooks: WebhookSummary[] }> {
    return this.request('GET', '/moderation/webhooks');
  }

  userAction(userId: string, action: 'ban' | 'unban' | 'premod' | 'trust'): Promise<UserModerationState> {
    return this.request('POST', `/moderation/users/${encodeURIComponent(userId)}`, { action });
  }

  connect(): ModSocket {
    return io('/moderation', { auth: { site: this.site, token: this.token }, transports: ['websocket', 'polling'] });
  }

  /** Decides on the revision the moderator was shown: a comment changed since answers 409. */
  decide(socket: ModSocket, id: string, action: ModerationAction, from: QueueState, rev: number): Promise<Comment> {
    return new Promise((resolve, reject) => {
      socket.timeout(10_000).emit('decide', { id, action, from, rev }, (err, answer) => {
        if (err) return reject(new ApiError('unavailable', 'No answer from the server'));
        if (isError(answer)) return reject(new ApiError(answer.error.code, answer.error.message));
        resolve(answer.comment);
      });
    });
  }
}

/** Local mode only: the server mints a demo moderator token (404 anywhere else). */
export async function demoToken(site: string): Promise<string> {
  const res = await fetch(`/api/v1/sites/${encodeURIComponent(site)}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const json = await res.json().catch(() => null);
  if (!res.ok || !json?.token) throw new ApiError(json?.error?.code ?? 'not_found', json?.error?.message ?? 'Not available');
  return json.token as string;
}

/** The token's claims, for showing who is signed in (the server verifies it, not we). */
export function claimsOf(token: string): { name?: string; role?: string; exp?: number } {
  try {
    const part = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  } catch {
    return {};
  }
}
