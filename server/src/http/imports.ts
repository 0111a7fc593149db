// POST /api/v1/sites/:site/admin/imports: the export file as the raw body (any content type),
// streamed to a temporary file up to IMPORT_MAX_BYTES, then imported by a job (202 with the
// job; GET …/admin/imports/:id reports it). Mounted before the JSON parser, whose limit is
// for small bodies.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import { Router } from 'express';
import { z } from 'zod';
import { DomainError, badRequest } from '../domain/errors';
import { FORMATS, MAPS } from '../domain/imports';
import { parseInput } from '../domain/inputs';
import { requireAdmin } from '../domain/moderation';
import type { Services } from '../services';
import { actorOf } from './identity';

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
export const ImportQuery = z
  .strictObject({
    format: z.enum(FORMATS),
    map: z.enum(MAPS).optional(),
    dryRun: flag.optional(),
    moderate: flag.optional(),
  })
  .refine((q) => q.format !== 'charcha' || (q.map ?? 'identifier') === 'identifier', { message: 'a Charcha export keeps its article ids: no map', path: ['map'] });

export function importsRouter(services: Services, identify: RequestHandler): Router {
  const r = Router({ mergeParams: true });
  const limit = services.config.IMPORT_MAX_BYTES;

  r.post('/admin/imports', identify, async (req, res) => {
    const actor = actorOf(req);
    requireAdmin(actor);
    const query = parseInput(ImportQuery, req.query);
    const file = await receive(req, res, limit);
    try {
      const job = await services.imports.start(actor, { ...query, file });
      res.status(202).location(`${req.baseUrl}/admin/imports/${job.id}`).json(job);
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
  });

  return r;
}

/**
 * The body, written to a temporary file; too large or empty: nothing is kept. A body over the
 * limit is not read further: the answer (413) closes the connection.
 */
async function receive(req: Request, res: Response, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  const file = join(tmpdir(), `charcha-upload-${randomUUID()}`);
  try {
    if (declared > limit) throw tooLarge(limit);
    const size = await new Promise<number>((resolve, reject) => {
      const out = createWriteStream(file);
      let n = 0;
      out.on('error', reject);
      req.on('error', () => reject(new DomainError('bad_request', 'The upload did not arrive whole')));
      req.on('aborted', () => reject(new DomainError('bad_request', 'The upload did not arrive whole')));
      req.on('data', (chunk: Buffer) => {
        n += chunk.length;
        if (n > limit) {
          req.pause();
          req.removeAllListeners('data');
          out.destroy();
          reject(tooLarge(limit));
        } else if (!out.write(chunk)) {
          req.pause();
          out.once('drain', () => req.resume());
        }
      });
      req.on('end', () => out.end(() => resolve(n)));
    });
    if (size === 0) throw badRequest('The body is empty: send the export file as the request body');
    return file;
  } catch (err) {
    if (err instanceof DomainError && err.code === 'too_large') res.setHeader('Connection', 'close');
    await rm(file, { force: true });
    throw err;
  }
}

const tooLarge = (limit: number) => new DomainError('too_large', `The file is larger than IMPORT_MAX_BYTES (${limit} bytes)`);
