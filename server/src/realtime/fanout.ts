// The only module that emits to rooms. One emit per event and room: Socket.IO encodes the
// packet once and the adapter carries it to the other nodes.
import type { Server } from 'socket.io';
import type { ArticleEvent, ModerationServerToClientEvents } from '../../../client-sdk/src/protocol';
import type { Fanout, ModerationEventName } from '../domain/fanout';
import { articleRoom, moderatorsRoom } from './rooms';

/** How long counting viewers waits for the other nodes before counting this node's only. */
const VIEWERS_TIMEOUT_MS = 1500;

export class SocketFanout implements Fanout {
  /** Told of each article event right after it is emitted (the read model follows them). */
  readonly articleFollowers: ((site: string, event: ArticleEvent) => void)[] = [];

  constructor(
    private readonly io: Server,
    /** True when an adapter connects several nodes: viewers are then counted across them. */
    private readonly clustered: () => boolean = () => false,
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
    this.io.to(articleRoom(site, article)).emit('presence', { article, viewers });
    this.onEmit('presence');
  }

  async viewers(site: string, article: string): Promise<number> {
    const room = articleRoom(site, article);
    if (!this.clustered()) return this.io.of('/').adapter.rooms.get(room)?.size ?? 0;
    try {
      // Every node answers; one that died without leaving Redis must not hold a join for 5 s.
      return (await this.io.in(room).timeout(VIEWERS_TIMEOUT_MS).fetchSockets()).length;
    } catch {
      return this.io.of('/').adapter.rooms.get(room)?.size ?? 0;
    }
  }
}
