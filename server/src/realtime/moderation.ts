// The /moderation namespace: the reader handshake (site, Origin, connection limit, token),
// then only moderator and admin tokens; each socket joins its site's moderators room, where
// the fan-out sends queue:added, queue:removed and queue:counts. `decide` calls the same
// domain function as POST /moderation/comments/:id. Handlers never emit.
//
// The token holds until its `exp` (realtime/session.ts): `decide` is refused after it, and
// the socket is cut once it has been expired for the grace period. `auth:refresh` must bring
// a token that still carries the moderator or admin role (any user of the same site); a
// refresh that fails, for whatever reason, cuts the socket after its answer.
import type { Namespace, Server, Socket } from 'socket.io';
import type { ModerationClientToServerEvents, ModerationServerToClientEvents } from '../../../client-sdk/src/protocol';
import { isModerator } from '../domain/actor';
import { DomainError } from '../domain/errors';
import { parseInput, RefreshEvent } from '../domain/inputs';
import { DecideEvent } from '../domain/moderation-inputs';
import type { Services } from '../services';
import { answer } from './handlers';
import { handshake, refuse } from './handshake';
import { moderatorsRoom } from './rooms';
import { SocketSession, type SocketData } from './session';

export type ModeratorSocket = Socket<ModerationClientToServerEvents, ModerationServerToClientEvents, Record<string, never>, SocketData>;

const notModerator = () => new DomainError('forbidden', 'Only moderators and admins can connect here');

/** The handshake's second step for staff namespaces: moderator and admin tokens only. */
export function staffOnly(socket: Socket, next: (err?: Error) => void): void {
  const { identity } = socket.data as SocketData;
  if (!identity.userId) return next(refuse(new DomainError('unauthorized', 'Sign in with a moderator token')));
  if (!isModerator(identity)) return next(refuse(notModerator()));
  next();
}

/** `auth:refresh` on a staff namespace: the new token must still be a moderator's or admin's; any failure cuts the socket after its answer. */
export async function refreshStaff(socket: Socket, session: SocketSession, p: unknown): Promise<Record<string, never>> {
  try {
    const { token } = parseInput(RefreshEvent, p);
    await session.refresh(token, (next) => {
      if (!isModerator(next)) throw notModerator();
    });
    return {};
  } catch (err) {
    // The answer goes out first (this turn), then the namespace's disconnect packet.
    setImmediate(() => socket.disconnect());
    throw err;
  }
}

export function moderationNamespace(io: Server, services: Services): Namespace {
  const nsp = io.of('/moderation');
  nsp.use(handshake(services.sites, services.config.TRUST_PROXY, services.limits));
  nsp.use(staffOnly);
  nsp.on('connection', (s) => {
    const socket = s as ModeratorSocket;
    const session = new SocketSession(socket, services.sites, services.config.SESSION_GRACE_MS);
    const on = (name: keyof ModerationClientToServerEvents, fn: (payload: unknown) => Promise<unknown>) =>
      socket.on(name, answer(socket, services, fn) as never);
    void socket.join(moderatorsRoom(session.site));

    on('decide', async (p) => {
      const { id, ...input } = parseInput(DecideEvent, p);
      return { comment: await services.moderation.decisions.decide(session.acting(), id, input) };
    });

    on('auth:refresh', (p) => refreshStaff(socket, session, p));
  });
  return nsp;
}
