// Endpoints for operators: liveness, readiness and metrics.
import { Router } from 'express';
import type { Registry } from 'prom-client';

export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency answers; rejects (or times out) when it does not. */
  check(): Promise<void>;
  /** A failing optional check reports `degraded` but keeps the node ready. */
  optional?: boolean;
}

export function opsRouter(registry: Registry, checks: ReadinessCheck[]): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  r.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      checks.map(async (c) => {
        try {
          await withTimeout(c.check(), 2000);
          return { name: c.name, ok: true, optional: !!c.optional };
        } catch (err) {
          return { name: c.name, ok: false, optional: !!c.optional, error: (err as Error).message };
        }
      }),
    );
    const failedRequired = results.some((r) => !r.ok && !r.optional);
    const degraded = results.some((r) => !r.ok && r.optional);
    const status = failedRequired ? 'unavailable' : degraded ? 'degraded' : 'ok';
    res.status(failedRequired ? 503 : 200).json({ status, checks: results });
  });
  r.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  });
  return r;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}
