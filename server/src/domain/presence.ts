// Readers per article, pushed to the article's room as `presence {article, viewers}`: at most
// one event per article every `intervalMs` from this node, the first change at once and the
// last one always (leading and trailing edge). The count itself comes from the fan-out, which
// counts the sockets in the room on every node when an adapter connects several.
import type { PresenceTracker } from '../services';
import { Coalescer } from './coalesce';

/** What presence needs from the real-time layer. */
export interface PresenceFanout {
  viewers(site: string, article: string): Promise<number>;
  presence(site: string, article: string, viewers: number): void;
}

export const PRESENCE_INTERVAL_MS = 2000;

export class PresenceService implements PresenceTracker {
  private readonly pushes: Coalescer<{ site: string; article: string }>;

  constructor(
    private readonly fanout: PresenceFanout,
    onError: (err: unknown) => void,
    intervalMs = PRESENCE_INTERVAL_MS,
  ) {
    this.pushes = new Coalescer({ intervalMs, flush: (_key, a) => this.push(a.site, a.article), onError });
  }

  joined(site: string, article: string): void {
    this.pushes.touch(`${site}\u0000${article}`, { site, article });
  }

  left(site: string, article: string): void {
    this.pushes.touch(`${site}\u0000${article}`, { site, article });
  }

  viewers(site: string, article: string): Promise<number> {
    return this.fanout.viewers(site, article);
  }

  close(): Promise<void> {
    return this.pushes.stop();
  }

  private async push(site: string, article: string): Promise<void> {
    const viewers = await this.fanout.viewers(site, article);
    this.fanout.presence(site, article, viewers);
  }
}
