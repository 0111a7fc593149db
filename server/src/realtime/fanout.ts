// The only module that emits to rooms. One emit per event and room: Socket.IO encodes the
// packet once and the adapter carries it to the other nodes. Presence is the exception: each
// node tells its own readers (domain/presence.ts adds up the nodes' counts).
import type { Server } from 'socket.io';
import type { ArticleEvent, ModerationServerToClientEvents } from '../../../client-sdk/src/protocol';
import type { Fanout, ModerationEventName } from '../domain/fanout';
import type { PresenceFanout } from '../domain/presence';
import { articleRoom, moderatorsRoom } from './rooms';

export class SocketFanout implements Fanout, PresenceFanout {
  /** Counts readers across nodes; until one is set (domain/presence.ts), this node's only. */
  countViewers: (site: string, article: string) => Promise<number> = async (site, article) => this.localViewers(site, article);

  /** Told of each article event right after it is emitted (the read model follows them). */
  readonly articleFollowers: ((site: string, event: ArticleEvent) => void)[] = [];

  constructor(
    private readonly io: Server,
    /** Told of every emit, by event name (metrics). */
    private readonly onEmit: (event: string) => void = () => {},
  ) {}

  toArticle(site: string, event: ArticleEvent): void {
    const { type, ...payload } = event;
    this.io.to(articleRoom(site, event.article)).emit(type, payload as never);
    this.onEmit(type);
    for (const follow of this.articleFollowers) follow(site, event);
  }

  toModerators<K extends ModerationEventName>(
    site: string,
    name: K,
    payload: Parameters<ModerationServerToClientEvents[K]>[0],
  ): void {
    this.io.of('/moderation').to(moderatorsRoom(site)).emit(name, payload as never);
    this.onEmit(name);
  }

  presence(site: string, article: string, viewers: number): void {
    this.io.local.to(articleRoom(site, article)).emit('presence', { article, viewers });
    this.onEmit('presence');
  }

  /** Readers of the article on this node: the size of its room in this node's adapter. */
  localViewers(site: string, article: string): number {
    return this.io.of('/').adapter.rooms.get(articleRoom(site, article))?.size ?? 0;
  }

  viewers(site: string, article: string): Promise<number> {
    return this.countViewers(site, article);
  }
}
