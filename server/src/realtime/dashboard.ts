// The /dashboard namespace: the newsroom's live numbers (readers now per article, posts and
// reactions per minute). The same handshake and staff check as /moderation; each socket joins
// its site's dashboard room. Once a second at most, for each site with dashboards open on
// this node, the sum of every node's live numbers goes to this node's dashboards (each node
// tells its own: `local`), and a new dashboard gets the numbers at once.
import type { Namespace, Server, Socket } from 'socket.io';
import type { DashboardClientToServerEvents, DashboardServerToClientEvents } from '../../../client-sdk/src/protocol';
import type { Services } from '../services';
import { answer } from './handlers';
import { handshake } from './handshake';
import { refreshStaff, staffOnly } from './moderation';
import { SocketSession, type SocketData } from './session';

export type DashboardSocket = Socket<DashboardClientToServerEvents, DashboardServerToClientEvents, Record<string, never>, SocketData>;

export const dashboardRoom = (site: string) => `d:${site}`;
const LIVE_INTERVAL_MS = 1000;

export function dashboardNamespace(io: Server, services: Services): { nsp: Namespace; close(): void } {
  const nsp = io.of('/dashboard');
  nsp.use(handshake(services.sites, services.config.TRUST_PROXY, services.limits));
  nsp.use(staffOnly);
  const tell = async (site: string, to: { emit: DashboardSocket['emit'] }) => {
    if (!services.stats) return;
    try {
      to.emit('stats:live', await services.stats.live.stats(site));
    } catch (err) {
      services.log.warn({ err }, 'dashboard: live numbers failed');
    }
  };
  nsp.on('connection', (s) => {
    const socket = s as DashboardSocket;
    const session = new SocketSession(socket, services.sites, services.config.SESSION_GRACE_MS);
    socket.on('auth:refresh', answer(socket, services, (p) => refreshStaff(socket, session, p)) as never);
    void socket.join(dashboardRoom(session.site));
    void tell(session.site, socket);
  });
  let running = false;
  const timer = setInterval(async () => {
    if (running) return; // a slow round is not overtaken: at most one a second
    running = true;
    try {
      for (const [room, members] of nsp.adapter.rooms) {
        if (!room.startsWith('d:') || members.size === 0) continue;
        await tell(room.slice(2), nsp.local.to(room) as unknown as DashboardSocket);
      }
    } finally {
      running = false;
    }
  }, LIVE_INTERVAL_MS);
  timer.unref();
  return { nsp, close: () => clearInterval(timer) };
}
