// The second pass: the spool read back, each post built into a stored comment at the place the
// index resolved, and written in batches. A comment's `_id` derives from the source, so a
// batch that meets comments an earlier run stored leaves them and counts them as present.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { insertNew } from '../../store/bulk';
import type { Models } from '../../store/models';
import type { Site } from '../../trust/sites';
import { toObjectId } from './identity';
import { ST, type PostIndex, type ThreadTable } from './post-index';
import { SKIPS } from './records';
import type { SpoolLine } from './source-pass';
import { skip, type ImportSummary } from './summary';

const BATCH = 500;
const REACTION_BATCH = 2000;
/** Reactions of imported totals: `imp:` users (no token can be one), one per reaction. */
const reactor = (i: number) => `imp:reactor:${i}`;

const STATUS: Record<number, string> = { [ST.published]: 'published', [ST.pending]: 'pending', [ST.rejected]: 'rejected', [ST.spam]: 'rejected', [ST.deleted]: 'deleted' };

export interface WritePassInput {
  models: Models;
  site: Site;
  index: PostIndex;
  threads: ThreadTable;
  spoolPath: string;
  dryRun: boolean;
  summary: ImportSummary;
  onWritten(n: number): void;
}

export async function writePass(p: WritePassInput): Promise<void> {
  const { index, threads, summary } = p;
  const hex = (o: number) => Buffer.from(index.idOf(o)).toString('hex');
  let comments: Record<string, unknown>[] = [];
  let reactions: Record<string, unknown>[] = [];
  const flush = async (force = false) => {
    if (comments.length && (force || comments.length >= BATCH)) {
      const n = comments.length;
      if (p.dryRun) summary.comments.imported += n;
      else {
        const r = await insertNew(p.models.Comment, comments);
        summary.comments.imported += r.inserted;
        summary.comments.alreadyPresent += r.present;
      }
      comments = [];
      p.onWritten(n);
    }
    // Reactions after their comments, so none points at a comment not yet stored.
    if (reactions.length && (force || reactions.length >= REACTION_BATCH) && comments.length === 0) {
      if (p.dryRun) summary.reactions.imported += reactions.length;
      else {
        const r = await insertNew(p.models.Reaction, reactions);
        summary.reactions.imported += r.inserted;
        summary.reactions.alreadyPresent += r.present;
      }
      reactions = [];
    }
  };

  const lines = createInterface({ input: createReadStream(p.spoolPath, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const raw of lines) {
    if (!raw) continue;
    const l = JSON.parse(raw) as SpoolLine;
    const o = l.o;
    const thread = threads.list[index.thread[o]!]!;
    if (!index.stored[o]) {
      skip(summary, !thread.defined ? SKIPS.threadMissing : thread.article === null ? SKIPS.threadSkipped : SKIPS.deletedAlone);
      continue;
    }
    const state = index.state[o]!;
    const visible = index.visible[o] === 1;
    if (state !== ST.published) {
      if (visible) summary.comments.tombstones++;
      else summary.comments.hidden++;
    }
    const _id = toObjectId(index.idOf(o));
    const kept: Record<string, number> = {};
    for (const [kind, n] of Object.entries(l.r ?? {})) {
      if (!p.site.reactions.includes(kind)) {
        summary.reactions.skipped += n;
        continue;
      }
      kept[kind] = n;
      for (let i = 0; i < n; i++) reactions.push({ site: p.site.id, userId: reactor(i), target: `c:${_id}`, kind, at: new Date(l.at) });
    }
    const eff = index.eff[o]!;
    const replyTo = index.replyTo[o]!;
    const replies = index.replies[o]!;
    comments.push({
      _id,
      site: p.site.id,
      article: thread.article,
      parentId: eff >= 0 ? toObjectId(index.idOf(eff)) : null,
      ancestors: index.ancestors(o).map((a) => toObjectId(index.idOf(a))),
      depth: index.depth[o],
      replyTo: replyTo >= 0 ? { id: hex(replyTo), name: index.names[index.name[replyTo]!] } : null,
      author: l.a,
      clientId: `import:${hex(o)}`,
      body: l.html,
      text: l.text,
      status: STATUS[state],
      visible,
      rev: 1,
      decision: state === ST.spam ? 'spam' : null,
      reasons: l.reasons ?? (state === ST.spam ? ['spam (imported)'] : []),
      flags: [],
      flagCount: 0,
      decidedBy: null,
      reactions: kept,
      replyCount: replies,
      score: replies + Object.values(kept).reduce((s, n) => s + n, 0),
      seq: 0,
      createdAt: new Date(l.at),
      editedAt: l.ed === null ? null : new Date(l.ed),
    });
    await flush();
  }
  await flush(true);
}
