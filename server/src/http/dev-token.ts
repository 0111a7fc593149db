// Local mode only: POST /api/v1/sites/demo/dev/token mints a demo moderator token, so the
// console at /moderate can be tried without a host site. Mounted only when no SITES_FILE is
// given (the one site is then `demo`, whose secret is public); never in production.
import { Router } from 'express';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { parseInput } from '../domain/inputs';
import { DEMO_SECRET } from '../trust/sites';

export const DevTokenBody = z.strictObject({ name: z.string().trim().min(1).max(80).optional() });
const HOURS = 8;

export function devTokenRouter(): Router {
  const r = Router({ mergeParams: true });
  r.post('/dev/token', async (req, res, next) => {
    if ((req.params as { site?: string }).site !== 'demo') return next();
    const { name = 'Demo moderator' } = parseInput(DevTokenBody, req.body ?? {});
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ name, role: 'moderator' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('demo-moderator')
      .setIssuedAt(now)
      .setExpirationTime(now + HOURS * 3600)
      .sign(new TextEncoder().encode(DEMO_SECRET));
    res.json({ token, expiresAt: new Date((now + HOURS * 3600) * 1000).toISOString() });
  });
  return r;
}
