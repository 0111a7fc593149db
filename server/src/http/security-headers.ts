// Security headers on every answer, as helmet sets them. Helmet's headers do not depend on the
// request (no nonces here), so they are taken from it once at start and set from that list:
// one middleware instead of helmet's thirteen on every request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** Charcha's helmet configuration: the policy of its pages (widget demo, console, API reference). */
export const SECURITY_HEADERS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'connect-src': ["'self'", 'ws:', 'wss:'],
      'img-src': ["'self'", 'https:', 'data:'],
      // Charcha is often run over plain http on a LAN or behind a TLS proxy that sets its own.
      'upgrade-insecure-requests': null,
    },
  },
  crossOriginResourcePolicy: { policy: 'cross-origin' },
};

type Step = { set: [name: string, value: string] } | { remove: string };

/** What helmet does to an answer with these options, recorded on a stand-in response. */
function record(options: HelmetOptions): Step[] {
  const steps: Step[] = [];
  const res = {
    setHeader: (name: string, value: unknown) => void steps.push({ set: [name, String(value)] }),
    removeHeader: (name: string) => void steps.push({ remove: name }),
  };
  // A header computed from the request would read it: the stand-in request refuses every read.
  const req = new Proxy({}, { get: (_t, key) => { throw new Error(`a header reads the request (${String(key)})`); } });
  let done = false;
  let failed: unknown;
  try {
    helmet(options)(req as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
      done = true;
      failed = err;
    });
  } catch (err) {
    failed = err;
  }
  if (!done || failed) throw new Error(`helmet's headers cannot be set from a list: ${failed ? String(failed) : 'not set in one synchronous pass'}`);
  return steps;
}

/**
 * Helmet's steps for these options, the same on every answer; a configuration whose headers
 * read the request or change from one answer to the next (e.g. a nonce) is refused.
 */
export function helmetSteps(options: HelmetOptions): Step[] {
  const steps = record(options);
  if (JSON.stringify(record(options)) !== JSON.stringify(steps)) throw new Error("helmet's headers cannot be set from a list: they change from one answer to the next");
  return steps;
}

export function securityHeaders(options: HelmetOptions) {
  const steps = helmetSteps(options);
  const sets = steps.flatMap((s) => ('set' in s ? [s.set] : []));
  const removes = steps.flatMap((s) => ('remove' in s ? [s.remove] : []));
  return (_req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    for (const name of removes) res.removeHeader(name);
    for (const [name, value] of sets) res.setHeader(name, value);
    next();
  };
}
