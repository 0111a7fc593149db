// A signed-in reader's own room on the reader namespace: every open socket of the reader is in
// it, on whichever node, so a notification is one emit (the adapter carries it to the other
// nodes). A socket follows its identity: it joins at connection and moves when `auth:refresh`
// brings another user's token, or leaves when it brings none of a user.
import type { Server, Socket } from 'socket.io';
import type { UserFanout } from '../domain/notifications';
import { userRoom } from './rooms';
import type { SocketData } from './session';

export function followUser(socket: Socket): void {
  const { identity } = socket.data as SocketData;
  const room = identity.userId && !identity.guest ? userRoom(identity.site, identity.userId) : undefined;
  for (const r of socket.rooms) if (r.startsWith('u:') && r !== room) void socket.leave(r);
  if (room) void socket.join(room);
}

export class SocketUserFanout implements UserFanout {
  constructor(
    private readonly io: Server,
    /** Told of every emit, by event name (metrics). */
    private readonly onEmit: (event: string) => void = () => {},
  ) {}

  toUser: UserFanout['toUser'] = (site, user, name, payload) => {
    this.io.to(userRoom(site, user)).emit(name, payload as never);
    this.onEmit(name);
  };
}
