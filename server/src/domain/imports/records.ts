// What every source format is read into: threads (the pages comments were on) and posts.
// The formats (disqus.ts, wordpress.ts, charcha.ts) only translate; the rules of an import
// (placement, visibility, identity, mapping) are applied to these records, whatever the source.

export const FORMATS = ['disqus', 'wordpress', 'charcha'] as const;
export type ImportFormat = (typeof FORMATS)[number];

export const MAPS = ['identifier', 'url-path', 'slug'] as const;
/** How a source thread becomes an article id: its identifier, its URL's path, or its slug. */
export type MapMode = (typeof MAPS)[number];

export interface SourceThread {
  kind: 'thread';
  /** Unique within the file, e.g. `disqus:t:<dsq:id>`. */
  key: string;
  /** The source's own identifier (Disqus `<id>`, WordPress `wp:post_id`, Charcha's article). */
  identifier: string | null;
  link: string | null;
  /** The source's slug (WordPress `wp:post_name`); otherwise the link's last path segment. */
  slug: string | null;
  title: string | null;
  /** Closed to new comments in the source: a new article is created locked. */
  closed: boolean;
  /** Why the thread is not imported at all (e.g. deleted in the source). */
  skip?: string;
}

/** Where a post stood in the source. `spam` is kept as rejected, out of view. */
export type SourceState = 'published' | 'pending' | 'rejected' | 'spam' | 'deleted';

export interface SourceAuthor {
  /** An imported identity, `imp:<source>:<hash>` (identity.ts), or a kept `imp:` id. */
  id: string;
  name: string;
  guest?: boolean;
  picture?: string;
}

export interface SourcePost {
  kind: 'post';
  /** Unique within the source, e.g. `disqus:<dsq:id>`; the comment's identity derives from it. */
  key: string;
  thread: string;
  /** The key of the post it answers, if any (it may come later in the file). */
  parent: string | null;
  createdAt: Date | null;
  editedAt: Date | null;
  state: SourceState;
  author: SourceAuthor;
  /** Markup as the source has it; sanitized on the way in. */
  body: string;
  /** Reaction totals by kind (Charcha exports). */
  reactions?: Record<string, number>;
  /** The stored `_id` to keep (a Charcha export imported back into its own site). */
  keepId?: string;
  /** Why this post is not imported (e.g. a pingback). */
  skip?: string;
}

/** A part of the file that is not a thread or a post of the format (counted, then skipped). */
export interface SourceInvalid {
  kind: 'invalid';
  detail: string;
}

export type SourceRecord = SourceThread | SourcePost | SourceInvalid;

/** A format's reader: records in file order, from a text stream, for the site imported into. */
export type RecordReader = (input: AsyncIterable<string>, into: { site: string }) => AsyncIterable<SourceRecord>;

/** Every reason a thread or post is left out, as the summary counts them. */
export const SKIPS = {
  threadMissing: 'its thread is not in the file',
  threadSkipped: 'its thread was not imported',
  noDate: 'no valid date',
  noId: 'no id',
  duplicate: 'the same id appears twice in the file',
  deletedAlone: 'deleted, with no replies to keep it as a tombstone',
  ping: 'a pingback or trackback',
} as const;

/** A date the source wrote, or null (the caller skips the post: no date, no identity). */
export function parseDate(raw: string | null | undefined): Date | null {
  if (!raw) return null;
  let s = raw.trim();
  // WordPress writes `2020-01-02 03:04:05` (GMT in comment_date_gmt), and zeros for "none".
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(s)) s = `${s.replace(' ', 'T')}Z`;
  if (s.startsWith('0000')) return null;
  const t = Date.parse(s);
  if (!Number.isFinite(t) || t < 0 || t > 4_102_444_800_000) return null; // 1970..2100
  return new Date(t);
}
