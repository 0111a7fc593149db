// Charcha's own export (domain/exports.ts), read back: one comment a line. Article ids are kept
// as they are; a comment's place is its parent (or, for one stored beside its parent at the
// depth cap, the comment it answered), placed again under the importing site's depth rule.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { cleanName } from '../../trust/sanitize';
import { ArticleId, CommentId } from '../inputs';
import { EXPORT_VERSION } from '../exports';
import { importedAuthorId, isImportedAuthor } from './identity';
import { parseDate, type RecordReader, type SourceState } from './records';

const Line = z.object({
  v: z.literal(EXPORT_VERSION),
  site: z.string(),
  article: ArticleId,
  id: CommentId,
  parentId: CommentId.nullable(),
  replyTo: z.object({ id: CommentId, name: z.string() }).nullable().optional(),
  author: z.object({ id: z.string().min(1).max(200), name: z.string().max(1000), picture: z.string().url().startsWith('https://').optional(), guest: z.boolean().optional() }),
  body: z.string().max(1_000_000),
  status: z.enum(['published', 'pending', 'rejected', 'deleted']),
  decision: z.string().nullable().optional(),
  reactions: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/), z.number().int().min(0).max(10_000_000)).optional(),
  createdAt: z.string(),
  editedAt: z.string().nullable().optional(),
});

export const readCharcha: RecordReader = async function* (input, into) {
  const articles = new Set<string>();
  const lines = createInterface({ input: Readable.from(input), crlfDelay: Infinity });
  let n = 0;
  let started = false;
  for await (const raw of lines) {
    n++;
    if (!raw.trim()) continue;
    // `npm run export > file` puts npm's banner (`> charcha@… export`) above the first line.
    if (!started && raw.startsWith('> ')) continue;
    started = true;
    let parsed: z.infer<typeof Line>;
    try {
      const r = Line.safeParse(JSON.parse(raw));
      if (!r.success) {
        const issue = r.error.issues[0]!;
        throw new Error(`${issue.path.join('.') || 'line'}: ${issue.message}`);
      }
      parsed = r.data;
    } catch (err) {
      yield { kind: 'invalid', detail: `line ${n}: ${(err as Error).message}` };
      continue;
    }
    const c = parsed;
    if (!articles.has(c.article)) {
      articles.add(c.article);
      yield { kind: 'thread', key: `charcha:a:${c.article}`, identifier: c.article, link: null, slug: null, title: null, closed: false };
    }
    const state: SourceState = c.status === 'rejected' && c.decision === 'spam' ? 'spam' : c.status;
    const parent = c.replyTo?.id ?? c.parentId;
    const name = cleanName(c.author.name);
    yield {
      kind: 'post',
      key: `charcha:${c.id}`,
      thread: `charcha:a:${c.article}`,
      parent: parent ? `charcha:${parent}` : null,
      createdAt: parseDate(c.createdAt),
      editedAt: parseDate(c.editedAt),
      state,
      author: {
        // Identities stay imported identities: ids from another site's tokens are not this site's users.
        id: isImportedAuthor(c.author.id) ? c.author.id : importedAuthorId('charcha', `u:${c.author.id}`),
        name,
        ...(c.author.guest ? { guest: true } : {}),
        ...(c.author.picture ? { picture: c.author.picture } : {}),
      },
      body: c.body,
      reactions: c.reactions ?? {},
      // Imported back into the site it came from: the comment keeps its id (a restore).
      ...(c.site === into.site ? { keepId: c.id } : {}),
    };
  }
};
