// One structured log line per HTTP request, written when the answer has gone out: method,
// path (no query string), status, duration, request id. Never headers (tokens, cookies) and
// never bodies (comments). Probes (healthz, readyz, metrics) log at debug level only.
// A line whose level the logger does not write costs nothing but the request id: no child
// logger and no serialisation per request (a crowd of readers pays this on every load).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Level } from 'pino';
import type { Logger } from '../log';

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

const pathOf = (url = '/') => {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
};

declare module 'node:http' {
  interface IncomingMessage {
    /** The request's id, as its log line and X-Request-Id name it. */
    id?: string;
  }
}

function levelOf(path: string, res: ServerResponse): Level {
  if (res.statusCode >= 500) return 'error';
  if (PROBES.has(path)) return 'debug';
  return 'info';
}

export function requestLog(log: Logger) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    // The proxy's request id when it sends a sane one, so a line can be followed across hops.
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    const started = Date.now();
    // Taken now: routers rewrite req.url while they handle the request.
    const method = req.method;
    const path = pathOf(req.url);
    // 'close' follows every answer, sent or cut short (a ServerResponse emits it after 'finish').
    res.on('close', () => {
      const level = levelOf(path, res);
      if (!log.isLevelEnabled(level)) return;
      const line: Record<string, unknown> = {
        reqId: id,
        req: { id, method, path },
        res: { status: res.statusCode },
        responseTime: Date.now() - started,
      };
      if (level !== 'error') return void log[level](line, 'request');
      // The error itself is logged where it is answered (http/errors.ts); the line names the status.
      line.err = { type: 'Error', message: `failed with status code ${res.statusCode}` };
      log.error(line, 'request failed');
    });
    next();
  };
}
