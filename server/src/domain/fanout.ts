// What the domain needs from the real-time layer: one call per audience. realtime/fanout.ts
// implements it; the domain never touches Socket.IO itself.
import type {
  ArticleEvent,
  ModerationServerToClientEvents,
} from '../../../client-sdk/src/protocol';

export type ModerationEventName = keyof ModerationServerToClientEvents;

export interface Fanout {
  /** Sends a sequenced event to every reader of the article, on every node. */
  toArticle(site: string, event: ArticleEvent): void;
  /** Sends a queue event to every moderator of the site, on every node. */
  toModerators<K extends ModerationEventName>(
    site: string,
    name: K,
    payload: Parameters<ModerationServerToClientEvents[K]>[0],
  ): void;
  /** Readers connected to the article now, across nodes. */
  viewers(site: string, article: string): Promise<number>;
}
