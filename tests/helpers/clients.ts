// Real Socket.IO clients and a small HTTP client for tests.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../client-sdk/src/protocol';

export type ReaderClient = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function connectReader(url: string, auth: { site?: string; token?: string } = {}, extra: { origin?: string } = {}): Promise<ReaderClient> {
  const socket: ReaderClient = io(url, {
    auth: { site: 'demo', ...auth },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: extra.origin ? { origin: extra.origin } : undefined,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return socket;
}

/** A real client of a staff namespace (/moderation, /dashboard); rejects with the handshake's error. */
export function connectModerator(url: string, token?: string, site = 'demo', namespace: '/moderation' | '/dashboard' = '/moderation'): Promise<Socket> {
  const socket = io(`${url}${namespace}`, { auth: { site, token }, transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.disconnect();
      reject(err);
    });
  });
}

/** Emits with an acknowledgement and resolves with the server's answer. */
export function call<T = any>(socket: { emit: (...args: any[]) => unknown }, event: string, payload: unknown, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ack for ${event} in ${timeoutMs} ms`)), timeoutMs);
    socket.emit(event, payload, (answer: T) => {
      clearTimeout(t);
      resolve(answer);
    });
  });
}

/** Collects every event of the given names that the socket receives, in order. */
export function record(socket: ReaderClient, names: string[]): { name: string; payload: any }[] {
  const seen: { name: string; payload: any }[] = [];
  for (const n of names) (socket as any).on(n, (payload: any) => seen.push({ name: n, payload }));
  return seen;
}

export async function waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface HttpAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function http<T = any>(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) {
    body = opts.raw;
    headers['content-type'] ??= 'application/json';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
