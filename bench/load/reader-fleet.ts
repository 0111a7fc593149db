// A load process holding many idle readers in one article room, as the widget would: each a
// Socket.IO client over websocket that joins the room. Records when each reader receives
// each `comment:created` (the run's shared clock) and reports on request over IPC.
import { io, type Socket } from 'socket.io-client';
import { nowMs } from '../clock';
import { markerOf, type FleetCommand, type FleetReply, type ConnectCommand } from './fleet-protocol';

const sockets: Socket[] = [];
const groupSize = new Map<string, number>();
/** Receipts as taken: time and body (the marker is read out later, off the hot path). */
let taken: { at: number; body: unknown }[] = [];
let delivered = 0;
const perMarker = new Map<number, number>();

const send = (reply: FleetReply) => process.send!(reply);

const onCreatedIn = (group: string) => (payload: { body?: unknown }) => onCreated(group, payload);

function onCreated(group: string, payload: { body?: unknown }): void {
  const at = nowMs();
  taken.push({ at, body: payload.body });
  delivered++;
  const marker = markerOf(payload.body);
  if (marker === undefined) return;
  const n = (perMarker.get(marker) ?? 0) + 1;
  perMarker.set(marker, n);
  if (n === groupSize.get(group)) send({ type: 'all-received', group, marker });
}

/** Connects one reader and joins it to the article; answers it with the join's ack latency. */
function connectOne(c: ConnectCommand): Promise<{ socket: Socket; joinMs: number }> {
  return new Promise((resolve, reject) => {
    const socket = io(c.url, { auth: { site: c.site }, transports: ['websocket'], forceNew: true, reconnection: false, timeout: 60_000 });
    const fail = (err: Error) => {
      socket.close();
      reject(err);
    };
    socket.once('connect_error', fail);
    socket.once('connect', () => {
      const sent = nowMs();
      socket.timeout(60_000).emit('article:join', c.since === undefined ? { article: c.article } : { article: c.article, since: c.since }, (err: Error | null, ack: { error?: { message: string } }) => {
        const joinMs = nowMs() - sent;
        if (err) return fail(err);
        if (ack?.error) return fail(new Error(ack.error.message));
        socket.on('comment:created', onCreatedIn(c.group));
        resolve({ socket, joinMs });
      });
    });
  });
}

async function connectAll(c: ConnectCommand): Promise<{ connected: number; failed: number; firstError?: string; joinMs: number[] }> {
  let next = 0;
  const joinMs: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (next < c.count) {
      next++;
      try {
        const one = await connectOne(c);
        sockets.push(one.socket);
        joinMs.push(one.joinMs);
        groupSize.set(c.group, (groupSize.get(c.group) ?? 0) + 1);
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(c.concurrency, c.count) }, worker));
  return { connected: groupSize.get(c.group) ?? 0, failed, firstError, joinMs };
}

process.on('message', async (m: FleetCommand) => {
  if (m.cmd === 'connect') {
    send({ id: m.id, type: 'connected', ...(await connectAll(m)) });
  } else if (m.cmd === 'receipts') {
    const receipts: [number, number][] = [];
    for (const t of taken) {
      const marker = markerOf(t.body);
      if (marker !== undefined) receipts.push([marker, t.at]);
    }
    send({ id: m.id, type: 'receipts', receipts, delivered });
    taken = [];
    delivered = 0;
    perMarker.clear();
  } else if (m.cmd === 'disconnect') {
    for (const s of sockets.splice(0)) s.close();
    groupSize.clear();
    send({ id: m.id, type: 'disconnected' });
  }
});
process.on('disconnect', () => process.exit(0));
