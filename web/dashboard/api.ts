// The dashboard's link to Charcha: the statistics over HTTP, the live numbers on /dashboard.
import { io, type Socket } from 'socket.io-client';
import type { DashboardClientToServerEvents, DashboardServerToClientEvents } from '../../client-sdk/src/protocol';
import { ApiError } from '../console/api';

export type DashSocket = Socket<DashboardServerToClientEvents, DashboardClientToServerEvents>;

export interface Counts {
  posted?: number;
  published?: number;
  held?: number;
  rejected?: number;
  decisions?: number;
  reactions?: number;
  flags?: number;
  readers?: number;
}

export interface SeriesAnswer {
  from: string;
  to: string;
  resolution: 'minute' | 'hour';
  points: (Counts & { at: number })[];
  totals: Counts;
  medianWaitMs: number | null;
  backlog: { pending: number; flagged: number };
}

export interface TopArticle {
  article: string;
  readers: number;
  comments: number;
  reactions: number;
  flags: number;
  held: number;
}

export class DashboardApi {
  constructor(
    readonly site: string,
    readonly token: string,
  ) {}

  private async get<T>(path: string): Promise<T> {
    const res = await fetch(`/api/v1/sites/${encodeURIComponent(this.site)}${path}`, { headers: { authorization: `Bearer ${this.token}` } });
    const json = await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(json?.error?.code ?? 'unavailable', json?.error?.message ?? res.statusText);
    return json as T;
  }

  series(hours: number): Promise<SeriesAnswer> {
    const to = Date.now();
    return this.get(`/admin/stats?from=${to - hours * 3_600_000}&to=${to}`);
  }

  top(by: 'comments' | 'readers' | 'reactions', window = '1h'): Promise<{ articles: TopArticle[] }> {
    return this.get(`/admin/stats/top?by=${by}&window=${window}`);
  }

  connect(): DashSocket {
    return io('/dashboard', { auth: { site: this.site, token: this.token }, transports: ['websocket', 'polling'] });
  }
}
