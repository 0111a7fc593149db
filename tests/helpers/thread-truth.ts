// What a thread really is, read from the comments themselves, to hold the counters and the
// events readers got against it. Independent of the server's own recount.
import assert from 'node:assert/strict';
import type { CommentDoc, Models } from '../../server/src/store/models';

interface Truth {
  commentCount: number;
  topLevelCount: number;
  /** Visible direct replies per comment id. */
  replies: Map<string, number>;
  /** Comments readers see, by id: status as readers see it, body and rev. */
  visible: Map<string, { status: string; body: string; rev: number }>;
}

export async function threadTruth(models: Models, site: string, article: string): Promise<Truth> {
  return truthOf(await models.Comment.find({ site, article }).lean());
}

function truthOf(docs: CommentDoc[]): Truth {
  const t: Truth = { commentCount: 0, topLevelCount: 0, replies: new Map(), visible: new Map() };
  for (const d of docs) {
    const published = d.status === 'published';
    if (published) t.commentCount++;
    if (!published && !d.visible) continue;
    if (!d.parentId) t.topLevelCount++;
    else t.replies.set(String(d.parentId), (t.replies.get(String(d.parentId)) ?? 0) + 1);
    t.visible.set(String(d._id), { status: published ? 'published' : 'deleted', body: published ? d.body : '', rev: d.rev });
  }
  return t;
}

/** Every stored counter of the article equals a count of its comments; none is negative. */
export async function assertCountersExact(models: Models, site: string, article: string, what = ''): Promise<void> {
  const t = await threadTruth(models, site, article);
  const a = await models.Article.findOne({ site, article }).lean();
  assert.equal(a?.commentCount ?? 0, t.commentCount, `commentCount ${what}`);
  assert.equal(a?.topLevelCount ?? 0, t.topLevelCount, `topLevelCount ${what}`);
  for (const d of await models.Comment.find({ site, article }).lean()) {
    assert.equal(d.replyCount, t.replies.get(String(d._id)) ?? 0, `replyCount of ${d._id} ${what}`);
    assert.ok(d.replyCount >= 0 && d.score >= 0, `no negative counter ${what}`);
  }
}

/**
 * A reader's view of the article rebuilt from the events it received: each seq once and in
 * order, no comment:created for one already shown, no update or delete for one not shown.
 */
export class EventMirror {
  readonly shown = new Map<string, { status: string; body: string; rev: number }>();
  lastSeq: number;
  readonly problems: string[] = [];

  constructor(socket: { on(name: string, fn: (p: any) => void): unknown }, startSeq: number) {
    this.lastSeq = startSeq;
    for (const name of ['comment:created', 'comment:updated', 'comment:deleted', 'reaction:updated', 'article:updated']) {
      socket.on(name, (p: any) => this.apply(name, p));
    }
  }

  private apply(name: string, p: any): void {
    if (p.seq !== this.lastSeq + 1) this.problems.push(`${name} seq ${p.seq} after ${this.lastSeq}`);
    this.lastSeq = Math.max(this.lastSeq, p.seq);
    if (name === 'comment:created') {
      if (this.shown.has(p.id)) this.problems.push(`comment:created twice for ${p.id}`);
      this.shown.set(p.id, { status: p.status, body: p.body, rev: p.rev });
    } else if (name === 'comment:updated') {
      if (!this.shown.has(p.id)) this.problems.push(`comment:updated for ${p.id}, never shown`);
      this.shown.set(p.id, { status: p.status, body: p.body, rev: p.rev });
    } else if (name === 'comment:deleted') {
      if (!this.shown.delete(p.id)) this.problems.push(`comment:deleted for ${p.id}, not shown`);
    }
  }

  /** What the reader was shown equals what readers should see now. */
  async assertMatches(models: Models, site: string, article: string, what = ''): Promise<void> {
    assert.deepEqual(this.problems, [], `event stream ${what}`);
    const t = await threadTruth(models, site, article);
    assert.deepEqual(new Map([...this.shown].sort()), new Map([...t.visible].sort()), `reader's view equals the thread ${what}`);
  }
}

/** assertCountersExact for every article of a site, from one read of its comments. */
export async function assertSiteCountersExact(models: Models, site: string, what = ''): Promise<void> {
  const byArticle = new Map<string, CommentDoc[]>();
  for (const d of await models.Comment.find({ site }).lean<CommentDoc[]>()) byArticle.set(d.article, [...(byArticle.get(d.article) ?? []), d]);
  for (const [article, docs] of byArticle) {
    const t = truthOf(docs);
    const a = await models.Article.findOne({ _id: `${site}:${article}` }).lean();
    assert.equal(a?.commentCount ?? 0, t.commentCount, `commentCount of ${article} ${what}`);
    assert.equal(a?.topLevelCount ?? 0, t.topLevelCount, `topLevelCount of ${article} ${what}`);
    for (const d of docs) {
      assert.equal(d.replyCount, t.replies.get(String(d._id)) ?? 0, `replyCount of ${d._id} ${what}`);
      assert.ok(d.replyCount >= 0 && d.score >= 0, `no negative counter ${what}`);
    }
  }
}
