// The only module that emits to rooms. One emit per event and room: Socket.IO encodes the
// packet once and the adapter carries it to the other nodes.
import type { Server } from 'socket.io';
import type { ArticleEvent, ModerationServerToClientEvents } from '../../../client-sdk/src/protocol';
import type { Fanout, ModerationEventName } from '../domain/fanout';
import { articleRoom, moderatorsRoom } from './rooms';

export class SocketFanout implements Fanout {
  constructor(
    private readonly io: Server,
    /** True when an adapter connects several nodes: viewers are then counted across them. */
    private readonly clustered: () => boolean = () => false,
  ) {}

  toArticle(site: string, event: ArticleEvent): void {
    const { type, ...payload } = event;
    this.io.to(articleRoom(site, event.article)).emit(type, payload as never);
  }

  toModerators<K extends ModerationEventName>(
    site: string,
    name: K,
    payload: Parameters<ModerationServerToClientEvents[K]>[0],
  ): void {
    this.io.of('/moderation').to(moderatorsRoom(site)).emit(name, payload as never);
  }

  presence(site: string, article: string, viewers: number): void {
    this.io.to(articleRoom(site, article)).emit('presence', { article, viewers });
  }

  async viewers(site: string, article: string): Promise<number> {
    const room = articleRoom(site, article);
    if (!this.clustered()) return this.io.of('/').adapter.rooms.get(room)?.size ?? 0;
    try {
      return (await this.io.in(room).fetchSockets()).length;
    } catch {
      return this.io.of('/').adapter.rooms.get(room)?.size ?? 0;
    }
  }
}
