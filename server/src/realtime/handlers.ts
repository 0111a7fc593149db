// Reader events on namespace "/": validate the payload, call the domain, answer the ack.
// Handlers never emit to rooms; the domain does, through the fan-out.
import type { Socket } from 'socket.io';
import type { ClientToServerEvents, ErrorBody, ServerToClientEvents } from '../../../client-sdk/src/protocol';
import { DomainError, toErrorBody } from '../domain/errors';
import {
  DeleteEvent,
  EditEvent,
  JoinEvent,
  LeaveEvent,
  PostEvent,
  ReactionEvent,
  RefreshEvent,
  parseInput,
} from '../domain/inputs';
import type { Services } from '../services';
import { SocketFlooding } from '../trust/limits';
import { articleOfRoom, articleRoom, roomsToLeave } from './rooms';
import { siteOf, SocketSession, type SocketData } from './session';
import { followUser } from './user-rooms';

export type ReaderSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

type AnyAck = (answer: unknown) => void;

/** Time a flooding connection's in-flight answers get before it is cut. */
const FLOOD_GRACE_MS = 250;

/** Wraps a handler: the ack always gets the result or an error body, and nothing throws. */
export function answer(socket: Socket, services: Services, fn: (payload: unknown) => Promise<unknown>) {
  return async (payload: unknown, ack?: AnyAck) => {
    try {
      await services.limits?.socketEvent(socket, siteOf(socket, services.sites));
      const result = await fn(payload);
      if (typeof ack === 'function') ack(result);
    } catch (err) {
      const body: ErrorBody = toErrorBody(err);
      if (!(err instanceof DomainError)) services.log.error({ err, event: 'socket' }, 'socket handler failed');
      if (typeof ack === 'function') ack(body);
      // A connection that keeps flooding after being told to slow down is cut, once the
      // answers to what it sent before have had a moment to leave.
      if (err instanceof SocketFlooding && !socket.data.flooding) {
        socket.data.flooding = true;
        setTimeout(() => socket.disconnect(true), FLOOD_GRACE_MS).unref();
      }
    }
  };
}

export function registerReaderHandlers(socket: ReaderSocket, services: Services): void {
  const { comments, events } = services;
  const session = new SocketSession(socket, services.sites, services.config.SESSION_GRACE_MS);
  const actor = () => session.acting();
  const leave = async (room: string) => {
    const where = articleOfRoom(room);
    await socket.leave(room);
    if (where) services.presence?.left(where.site, where.article);
  };
  const on = (name: keyof ClientToServerEvents, fn: (payload: unknown) => Promise<unknown>) =>
    socket.on(name, answer(socket, services, fn) as never);

  on('article:join', async (p) => {
    const { article, since } = parseInput(JoinEvent, p);
    const site = session.site;
    const room = articleRoom(site, article);
    for (const old of roomsToLeave(socket.rooms, room, services.config.ARTICLES_PER_SOCKET)) await leave(old);
    // Join first, then read: an event sent in between reaches the client twice (live and in
    // `missed`), never zero times; the client keeps one by its seq.
    await socket.join(room);
    services.presence?.joined(site, article);
    const [replay, viewers] = await Promise.all([events.replay(site, article, since), services.fanout.viewers(site, article)]);
    return { ...replay, viewers };
  });

  on('article:leave', async (p) => {
    const { article } = parseInput(LeaveEvent, p);
    await leave(articleRoom(session.site, article));
    return {};
  });

  on('comment:post', async (p) => {
    const input = parseInput(PostEvent, p);
    await services.limits?.post(actor(), input.guest !== undefined);
    const { comment } = await comments.postComment(actor(), input);
    return { comment };
  });

  on('comment:edit', async (p) => {
    const { id, body } = parseInput(EditEvent, p);
    await services.limits?.edit(actor());
    return { comment: await comments.editComment(actor(), id, body) };
  });

  on('comment:delete', async (p) => {
    const { id } = parseInput(DeleteEvent, p);
    await comments.deleteComment(actor(), id);
    return {};
  });

  on('reaction:set', async (p) => {
    const input = parseInput(ReactionEvent, p);
    await services.limits?.react(actor());
    return services.reactions.set(actor(), input);
  });

  on('auth:refresh', async (p) => {
    const { token } = parseInput(RefreshEvent, p);
    await session.refresh(token);
    followUser(socket);
    return {};
  });

  socket.on('disconnecting', () => {
    for (const room of socket.rooms) {
      const where = articleOfRoom(room);
      if (where) services.presence?.left(where.site, where.article);
    }
  });
}
