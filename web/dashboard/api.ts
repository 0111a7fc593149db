// The dashboard's link to Charcha: the statistics over HTTP, the live numbers on /dashboard.
import { io, type Socket } from 'socket.io-client';
import type { DashboardClientToServerEvents, DashboardServerToClientEvents, StatsSeries, StatsTop } from '../../client-sdk/src/protocol';
import { ApiError } from '../console/api';

export type DashSocket = Socket<DashboardServerToClientEvents, DashboardClientToServerEvents>;

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

  series(hours: number): Promise<StatsSeries> {
    const to = Date.now();
    return this.get(`/admin/stats?from=${to - hours * 3_600_000}&to=${to}`);
  }

  top(by: StatsTop['by'], window = '1h'): Promise<StatsTop> {
    return this.get(`/admin/stats/top?by=${by}&window=${window}`);
  }

  connect(): DashSocket {
    return io('/dashboard', { auth: { site: this.site, token: this.token }, transports: ['websocket', 'polling'] });
  }
}
