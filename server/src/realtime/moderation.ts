// The /moderation namespace: the reader handshake (site, Origin, token), then only moderator
// and admin tokens; each socket joins its site's moderators room, where the fan-out sends
// queue:added, queue:removed and queue:counts. `decide` calls the same domain function as
// POST /moderation/comments/:id. Handlers never emit.
import type { Namespace, Server, Socket } from 'socket.io';
import type { ModerationClientToServerEvents, ModerationServerToClientEvents } from '../../../client-sdk/src/protocol';
import { isModerator } from '../domain/actor';
import { DomainError } from '../domain/errors';
import { parseInput } from '../domain/inputs';
import { DecideEvent } from '../domain/moderation-inputs';
import type { Services } from '../services';
import { answer } from './handlers';
import { handshake, refuse, type SocketData } from './handshake';
import { moderatorsRoom } from './rooms';

export type ModeratorSocket = Socket<ModerationClientToServerEvents, ModerationServerToClientEvents, Record<string, never>, SocketData>;

export function moderationNamespace(io: Server, services: Services): Namespace {
  const nsp = io.of('/moderation');
  nsp.use(handshake(services.sites, services.config.TRUST_PROXY));
  nsp.use((socket, next) => {
    const actor = (socket.data as SocketData).actor;
    if (!actor.userId) return next(refuse(new DomainError('unauthorized', 'Sign in with a moderator token')));
    if (!isModerator(actor)) return next(refuse(new DomainError('forbidden', 'Only moderators and admins can connect here')));
    next();
  });
  nsp.on('connection', (s) => {
    const socket = s as ModeratorSocket;
    void socket.join(moderatorsRoom(socket.data.actor.site.id));
    socket.on(
      'decide',
      answer(socket, services, async (p) => {
        const { id, ...input } = parseInput(DecideEvent, p);
        return { comment: await services.moderation.decisions.decide(socket.data.actor, id, input) };
      }) as never,
    );
  });
  return nsp;
}
