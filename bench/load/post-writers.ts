// A load process of writers posting comments to Charcha as fast as it answers: each writer is
// a signed-in user on its own socket, one comment at a time (the next after the ack).
// Runs when the parent says so and reports how many were acknowledged in the window.
// Env: URL, SITE, ARTICLE, TOKENS (JSON array, one writer each), RUN_ID.
import { io, type Socket } from 'socket.io-client';
import { commentBody } from '../comment-doc';
import { serveRuns } from './timed-loop';

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};
const url = env('URL');
const site = env('SITE');
const article = env('ARTICLE');
const tokens = JSON.parse(env('TOKENS')) as string[];
const runId = env('RUN_ID');

function connect(token: string): Promise<Socket> {
  const socket = io(url, { auth: { site, token }, transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const sockets = await Promise.all(tokens.map(connect));
const sent = sockets.map(() => 0);

serveRuns(
  sockets.length,
  async (w) => {
    const n = sent[w]!++;
    const answer = (await sockets[w]!.timeout(30_000).emitWithAck('comment:post', {
      article,
      body: commentBody(0, w * 1_000_000 + n),
      clientId: `w-${runId}-${w}-${n}`,
    })) as { comment?: unknown; error?: { message: string } };
    return answer.comment ? undefined : (answer.error?.message ?? 'no comment in the answer');
  },
  async () => {
    for (const s of sockets) s.close();
  },
);
