// A site's comments as NDJSON, one comment a line, read with a cursor (never the whole site
// in memory). `format: charcha` imports read these lines back (domain/imports/charcha.ts).
import type { CommentDoc, Models } from '../store/models';
import { positiveTotals } from './reaction-counters';

/** Version of the line format; an import refuses lines of a version it does not know. */
export const EXPORT_VERSION = 1;

export interface ExportLine {
  v: number;
  site: string;
  article: string;
  /** Place in the thread: the comment, the one it hangs under, and its depth (0: top level). */
  id: string;
  parentId: string | null;
  depth: number;
  /** Whom it answers when it was stored beside its parent at the site's depth cap. */
  replyTo: { id: string; name: string } | null;
  author: { id: string; name: string; picture?: string; guest?: boolean };
  /** Sanitized HTML; empty for a tombstone. */
  body: string;
  status: CommentDoc['status'];
  /** Whether readers see it (published, or a tombstone with replies). */
  visible: boolean;
  /** The last moderation decision (`spam` marks a rejection as spam). */
  decision: string | null;
  reactions: Record<string, number>;
  replyCount: number;
  createdAt: string;
  editedAt: string | null;
}

export interface ExportInput {
  site: string;
  article?: string;
}

export function exportLine(d: CommentDoc): ExportLine {
  return {
    v: EXPORT_VERSION,
    site: d.site,
    article: d.article,
    id: String(d._id),
    parentId: d.parentId ? String(d.parentId) : null,
    depth: d.depth,
    replyTo: d.replyTo ? { id: d.replyTo.id, name: d.replyTo.name } : null,
    author: {
      id: d.author.id,
      name: d.author.name,
      ...(d.author.picture ? { picture: d.author.picture } : {}),
      ...(d.author.guest ? { guest: true } : {}),
    },
    body: d.body,
    status: d.status,
    visible: d.visible,
    decision: d.decision ?? null,
    reactions: positiveTotals(d.reactions),
    replyCount: d.replyCount,
    createdAt: d.createdAt.toISOString(),
    editedAt: d.editedAt ? d.editedAt.toISOString() : null,
  };
}

/**
 * The lines of an export, each ending in a newline, in stored order (parents may follow their
 * replies; the import does not mind). Stops reading when the consumer stops.
 */
export async function* exportComments(models: Models, input: ExportInput): AsyncGenerator<string> {
  const filter: Record<string, unknown> = { site: input.site };
  if (input.article !== undefined) filter.article = input.article;
  const fields = { flags: 0, reasons: 0, text: 0, clientId: 0, decidedBy: 0 };
  const cursor = models.Comment.find(filter, fields).lean<CommentDoc>().cursor({ batchSize: 500 });
  try {
    for await (const doc of cursor) yield JSON.stringify(exportLine(doc as CommentDoc)) + '\n';
  } finally {
    await cursor.close();
  }
}
