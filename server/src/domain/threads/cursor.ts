// Page cursors: the last comment of a page (and its score for `top`), opaque to clients. The
// same shape the listing has always written, so cursors handed out before still work.
import type { SortOrder } from '../../../../client-sdk/src/protocol';
import { badRequest } from '../errors';

export interface Cursor {
  id: string;
  score?: number;
}

export function encodeCursor(id: string, sort: SortOrder, score: number): string {
  const c: Cursor = sort === 'top' ? { id, score } : { id };
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(raw: string, sort: SortOrder): Cursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.id !== 'string' || !/^[0-9a-f]{24}$/i.test(c.id)) throw new Error('id');
    if (sort === 'top' && typeof c.score !== 'number') throw new Error('score');
    return { id: c.id.toLowerCase(), ...(sort === 'top' ? { score: c.score } : {}) };
  } catch {
    throw badRequest('cursor: not a cursor of this listing');
  }
}
