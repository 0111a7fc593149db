// What the core needs from its host, and nothing else: timers, and fetch for HTTP.
// Browsers, React Native (Hermes) and Node 20 all have these. The core reaches them through
// this file only, so the SDK's own tsconfig can compile it without DOM or Node types.

/** The part of a fetch Response the SDK reads. */
export interface FetchResponse {
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  signal?: any;
}

/** The global `fetch`, or any function with its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse> | Promise<any>;

interface Host {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  fetch?: FetchLike;
  AbortController?: new () => { signal: unknown; abort(): void };
  crypto?: { getRandomValues?(a: Uint8Array): Uint8Array };
}

const host = globalThis as unknown as Host;

/** Longest delay a timer accepts everywhere (2^31 - 1 ms). */
const MAX_DELAY = 2_147_483_647;

export type Timer = unknown;

export function setTimer(fn: () => void, ms: number): Timer {
  return host.setTimeout(fn, Math.max(0, Math.min(ms, MAX_DELAY)));
}

export function clearTimer(t: Timer | undefined): void {
  if (t !== undefined) host.clearTimeout(t);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimer(resolve, ms));
}

export function globalFetch(): FetchLike | undefined {
  return typeof host.fetch === 'function' ? host.fetch.bind(globalThis) : undefined;
}

/** An abort signal that fires after `ms`, where the host has AbortController. */
export function abortAfter(ms: number): { signal?: unknown; cancel(): void } {
  if (typeof host.AbortController !== 'function') return { cancel() {} };
  const ctl = new host.AbortController();
  const t = setTimer(() => ctl.abort(), ms);
  return { signal: ctl.signal, cancel: () => clearTimer(t) };
}

/** Random id for `clientId`: crypto where the host has it, Math.random otherwise. */
export function randomId(length = 22): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  const bytes = new Uint8Array(length);
  if (host.crypto && typeof host.crypto.getRandomValues === 'function') host.crypto.getRandomValues(bytes);
  else for (let i = 0; i < length; i++) bytes[i] = Math.floor(Math.random() * 256);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! & 63];
  return out;
}

/** Current time in ms (Date exists in every JavaScript runtime). */
export const now = (): number => Date.now();
