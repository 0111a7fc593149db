// Identities an import derives, the same on every run: the comment's `_id` from the site, the
// source's id for the post and its time (so `_id` order is time order, and a second run finds
// what the first one stored), and the author's id from the source's account or name.
import { createHash } from 'node:crypto';
import { IMPORTED_PREFIX } from '../../trust/auth';
import { Types } from '../../store/models';

const hash = (s: string) => createHash('sha256').update(s).digest();

/**
 * An imported author: `imp:<source>:<hash>`. No token may claim an `imp:` subject
 * (trust/auth.ts) and guests are `g_…`, so nobody can act as an imported author.
 */
export function importedAuthorId(source: string, account: string): string {
  return `${IMPORTED_PREFIX}${source}:${hash(account).toString('hex').slice(0, 20)}`;
}

export const isImportedAuthor = (id: string) => id.startsWith(IMPORTED_PREFIX);

/** The source account an author id derives from: a username or user id, else email or name. */
export function authorAccount(user: string | null, email: string | null, name: string): string {
  if (user) return `u:${user}`;
  if (email) return `e:${email.trim().toLowerCase()}`;
  return `n:${name.trim()}`;
}

/**
 * 12 bytes: the creation time in seconds (as every ObjectId starts), then 8 bytes of a hash of
 * site and source key. Deterministic, so a repeated or resumed import stores each comment once.
 */
export function commentIdFor(site: string, sourceKey: string, createdAt: Date): Buffer {
  const out = Buffer.alloc(12);
  const secs = Math.min(Math.max(Math.floor(createdAt.getTime() / 1000), 0), 0xffffffff);
  out.writeUInt32BE(secs, 0);
  hash(`${site}\u0000${sourceKey}`).copy(out, 4, 0, 8);
  return out;
}

export const toObjectId = (bytes: Uint8Array) => new Types.ObjectId(Buffer.from(bytes));
