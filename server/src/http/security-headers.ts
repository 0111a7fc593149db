// Security headers on every answer, as helmet sets them. Helmet's headers do not depend on the
// request (no nonces here), so they are taken from it once at start and set from that list:
// one middleware instead of helmet's thirteen on every request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

type Step = { set: [name: string, value: string] } | { remove: string };

/** What helmet does to an answer with these options, recorded on a stand-in response. */
export function helmetSteps(options: HelmetOptions): Step[] {
  const steps: Step[] = [];
  const res = {
    setHeader: (name: string, value: unknown) => void steps.push({ set: [name, String(value)] }),
    removeHeader: (name: string) => void steps.push({ remove: name }),
  };
  let done = false;
  let failed: unknown;
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    done = true;
    failed = err;
  });
  // Helmet's middlewares are synchronous and only set or remove headers; anything else would
  // mean a header depends on the request, which this list cannot hold.
  if (!done || failed) throw new Error(`helmet did not set its headers in one synchronous pass${failed ? `: ${String(failed)}` : ''}`);
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
