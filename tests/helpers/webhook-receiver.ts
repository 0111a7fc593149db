// A real HTTP receiver of webhooks on 127.0.0.1: verifies every request with the Standard
// Webhooks reference code (`standardwebhooks`' Webhook.verify), can fail a message's first
// attempts, always fail, or be down (closed) and come back on the same port.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  path: string;
  id: string;
  type: string;
  payload: any;
  /** When the receiver took it (ms since the epoch). */
  at: number;
  attempt: number;
}

export interface Receiver {
  port: number;
  url(path?: string): string;
  /** Messages answered 2xx, in the order they were answered. */
  accepted: Received[];
  /** Requests per webhook-id (every attempt that reached the receiver). */
  tries: Map<string, number>;
  /** Every request, answered or not, by path. */
  requests: Map<string, number>;
  /** Requests whose signature did not verify (always answered 400). */
  badSignatures: string[];
  /** Answer 500 to a message's first `n` attempts (per webhook-id). */
  failFirst: number;
  /** Paths answered 500 whatever the attempt. */
  failing: Set<string>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startReceiver(secrets: Record<string, string>, port = 0): Promise<Receiver> {
  let server: Server | null = null;
  const receiver: Receiver = {
    port,
    url: (path = '/hooks') => `http://127.0.0.1:${receiver.port}${path}`,
    accepted: [],
    requests: new Map(),
    tries: new Map(),
    badSignatures: [],
    failFirst: 0,
    failing: new Set(),
    async start() {
      server = createServer(async (req, res) => {
        const path = req.url ?? '/';
        receiver.requests.set(path, (receiver.requests.get(path) ?? 0) + 1);
        const body = await readBody(req);
        const secret = secrets[path];
        let payload: any;
        try {
          if (!secret) throw new Error('no secret for ' + path);
          payload = new Webhook(secret).verify(body, req.headers as Record<string, string>);
        } catch (err) {
          receiver.badSignatures.push(`${path}: ${(err as Error).message}`);
          res.writeHead(400).end();
          return;
        }
        const id = String(req.headers['webhook-id']);
        const n = (receiver.tries.get(id) ?? 0) + 1;
        receiver.tries.set(id, n);
        if (n <= receiver.failFirst || receiver.failing.has(path)) {
          res.writeHead(500).end('not now');
          return;
        }
        receiver.accepted.push({ path, id, type: payload.type, payload, at: Date.now(), attempt: n });
        res.writeHead(204).end();
      });
      const s = server;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(receiver.port, '127.0.0.1', () => resolve());
      });
      receiver.port = (s.address() as AddressInfo).port;
    },
    async stop() {
      const s = server;
      server = null;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await receiver.start();
  return receiver;
}

/** A `whsec_` secret of 32 random bytes. */
export function newSecret(): string {
  return 'whsec_' + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
}
