import assert from 'node:assert/strict';
import type { ArticleEvent, Comment } from '../../client-sdk/src/protocol';
import { ThreadStore, type ThreadComment } from '../../client-sdk/src/thread-store';

const hex = (n: number) => n.toString(16).padStart(24, '0');

function mk(n: number, o: Partial<Comment> = {}): Comment {
  return {
    id: hex(n),
    article: 'a1',
    parentId: null,
    replyTo: null,
    depth: o.parentId ? 1 : 0,
    author: { id: `u${n}`, name: `User ${n}` },
    body: `<p>comment ${n}</p>`,
    status: 'published',
    createdAt: new Date(1_700_000_000_000 + n * 1000).toISOString(),
    editedAt: null,
    reactions: {},
    replyCount: 0,
    rev: 1,
    seq: n,
    ...o,
  };
}

const created = (c: Comment, seq = c.seq): ArticleEvent => ({ type: 'comment:created', ...c, seq });
const updated = (c: Comment, seq = c.seq): ArticleEvent => ({ type: 'comment:updated', ...c, seq });
const deleted = (id: string, seq: number): ArticleEvent => ({ type: 'comment:deleted', article: 'a1', id, seq });

/** The tree as "id:body[children]" strings, for compact comparisons. */
function shape(list: ThreadComment[]): string[] {
  return list.map((c) => `${parseInt(c.id, 16) || c.key}${c.replies.length ? `[${shape(c.replies).join(',')}]` : ''}`);
}

describe('sdk: ThreadStore', () => {
  it('loads a page with first replies and puts live comments where the sort says', () => {
    const s = new ThreadStore('newest');
    s.addPage({
      comments: [{ ...mk(5, { replyCount: 1 }), replies: [mk(6, { parentId: hex(5) })] }, mk(3), mk(2)],
      nextCursor: hex(2),
      total: 10,
    });
    assert.deepEqual(shape(s.snapshot()), ['5[6]', '3', '2']);
    s.apply(created(mk(9)));
    assert.deepEqual(shape(s.snapshot()), ['9', '5[6]', '3', '2']);
    // An older comment (approved late) goes to its place; one older than the loaded range waits for loadMore.
    s.apply(created(mk(4, { seq: 10 })));
    s.apply(created(mk(1, { seq: 11 })));
    assert.deepEqual(shape(s.snapshot()), ['9', '5[6]', '4', '3', '2']);
  });

  it('oldest-first threads append live comments only once everything is loaded', () => {
    const s = new ThreadStore('oldest');
    s.addPage({ comments: [mk(1), mk(2)], nextCursor: hex(2), total: 3 });
    s.apply(created(mk(7)));
    assert.deepEqual(shape(s.snapshot()), ['1', '2']);
    s.addPage({ comments: [mk(3), mk(7)], nextCursor: null, total: 3 });
    s.apply(created(mk(8)));
    assert.deepEqual(shape(s.snapshot()), ['1', '2', '3', '7', '8']);
  });

  it('applies a created event twice as once (page and replay overlap)', () => {
    const s = new ThreadStore('newest');
    s.addPage({ comments: [mk(2)], nextCursor: null, total: 1 });
    s.apply(created(mk(2)));
    s.apply(created(mk(3)));
    s.apply(created(mk(3)));
    assert.deepEqual(shape(s.snapshot()), ['3', '2']);
  });

  it('replies: live ones go under a parent whose replies are all loaded; else they are counted', () => {
    const s = new ThreadStore('newest');
    const p1 = mk(1, { replyCount: 5 });
    s.addPage({ comments: [mk(10), { ...p1, replies: [2, 3, 4].map((n) => mk(n, { parentId: p1.id })) }], nextCursor: null, total: 2 });
    s.apply(created(mk(11, { parentId: p1.id })));
    s.apply(created(mk(12, { parentId: hex(10) })));
    const [ten, one] = s.snapshot();
    assert.deepEqual(shape([ten!]), ['10[12]']);
    assert.equal(one!.replies.length, 3);
    assert.equal(one!.replyCount, 6);
    assert.equal(one!.moreReplies, 3);
    // loadReplies brings the rest in order, with the live one among them
    s.addReplies(p1.id, { comments: [5, 6, 11].map((n) => mk(n, { parentId: p1.id })), nextCursor: null, total: 6 });
    assert.deepEqual(shape([s.find(p1.id)!]), ['1[2,3,4,5,6,11]']);
    assert.equal(s.find(p1.id)!.moreReplies, 0);
  });

  it('edits apply by seq: an older copy never overwrites a newer one', () => {
    const s = new ThreadStore('newest');
    s.addPage({ comments: [mk(1, { seq: 5, body: 'v5' })], nextCursor: null, total: 1 });
    s.apply(updated(mk(1, { body: 'v3' }), 3));
    assert.equal(s.find(hex(1))!.body, 'v5');
    s.apply(updated(mk(1, { body: 'v6' }), 6));
    assert.equal(s.find(hex(1))!.body, 'v6');
  });

  it('deletes: a leaf disappears with its count; a tombstone keeps its replies', () => {
    const s = new ThreadStore('newest');
    const p = mk(1, { replyCount: 2 });
    s.setArticle({ article: 'a1', commentCount: 3, reactions: {}, locked: false, viewers: 1 });
    s.addPage({ comments: [{ ...p, replies: [mk(2, { parentId: p.id }), mk(3, { parentId: p.id })] }], nextCursor: null, total: 1 });
    s.apply(deleted(hex(3), 10));
    assert.deepEqual(shape(s.snapshot()), ['1[2]']);
    assert.equal(s.find(p.id)!.replyCount, 1);
    assert.equal(s.article.commentCount, 2);
    s.apply(updated(mk(1, { status: 'deleted', body: '', replyCount: 1 }), 11));
    const t = s.find(p.id)!;
    assert.equal(t.status, 'deleted');
    assert.deepEqual(shape(s.snapshot()), ['1[2]']);
    assert.equal(s.article.commentCount, 1);
  });

  it('keeps unchanged comments as the same objects across snapshots', () => {
    const s = new ThreadStore('newest');
    s.addPage({ comments: [mk(1), mk(2, { replyCount: 1, replies: [mk(3, { parentId: hex(2) })] })], nextCursor: null, total: 2 });
    const before = s.snapshot();
    s.apply({ type: 'reaction:updated', article: 'a1', seq: 20, target: { comment: hex(3) }, reactions: { like: 2 } });
    const after = s.snapshot();
    assert.notEqual(before, after);
    assert.equal(after.find((c) => c.id === hex(1)), before.find((c) => c.id === hex(1)));
    const two = after.find((c) => c.id === hex(2))!;
    assert.notEqual(two, before.find((c) => c.id === hex(2)));
    assert.deepEqual(two.replies[0]!.reactions, { like: 2 });
    assert.equal(s.snapshot(), after); // no change, same array
  });

  it('an own post: shown at once, reconciled in place when the ack comes first', () => {
    const s = new ThreadStore('newest');
    s.me = { id: 'me' };
    s.addPage({ comments: [mk(1)], nextCursor: null, total: 1 });
    const key = s.addLocal({ clientId: 'c1', body: 'hi', parentId: null, author: { id: 'me', name: 'Me' }, article: 'a1' });
    assert.equal(s.snapshot()[0]!.key, key);
    assert.equal(s.snapshot()[0]!.local!.state, 'queued');
    const stored = mk(9, { author: { id: 'me', name: 'Me' } });
    s.reconcile('c1', stored);
    s.apply(created(stored)); // the event after the ack: already there
    const list = s.snapshot();
    assert.equal(list.length, 2);
    assert.equal(list[0]!.key, key);
    assert.equal(list[0]!.id, stored.id);
    assert.equal(list[0]!.local, undefined);
  });

  it('an own post: the echo arriving before the ack is never shown twice', () => {
    const s = new ThreadStore('newest');
    s.me = { id: 'me' };
    s.addPage({ comments: [], nextCursor: null, total: 0 });
    const key = s.addLocal({ clientId: 'c1', body: 'hi', parentId: null, author: { id: 'me', name: 'Me' }, article: 'a1' });
    s.setLocal('c1', { state: 'sending', attempts: 1 });
    const stored = mk(9, { author: { id: 'me', name: 'Me' } });
    s.apply(created(stored));
    assert.equal(s.snapshot().length, 1, 'echo hidden while the ack is awaited');
    s.reconcile('c1', stored);
    assert.deepEqual(
      s.snapshot().map((c) => [c.key, c.id]),
      [[key, stored.id]],
    );
  });

  it('an own post that failed stays, failed; the echo of an earlier attempt shows once it fails', () => {
    const s = new ThreadStore('newest');
    s.me = { id: 'me' };
    s.addPage({ comments: [], nextCursor: null, total: 0 });
    s.addLocal({ clientId: 'c1', body: 'hi', parentId: null, author: { id: 'me', name: 'Me' }, article: 'a1' });
    s.setLocal('c1', { state: 'sending', attempts: 1 });
    s.apply(created(mk(9, { author: { id: 'me', name: 'Me' } })));
    s.setLocal('c1', { state: 'failed', attempts: 5 });
    assert.deepEqual(
      s.snapshot().map((c) => c.local?.state ?? 'stored'),
      ['failed', 'stored'],
    );
  });

  it('a reply to an unsent comment hangs under it and follows it when it is stored', () => {
    const s = new ThreadStore('oldest');
    s.addPage({ comments: [], nextCursor: null, total: 0 });
    const parentKey = s.addLocal({ clientId: 'p', body: 'parent', parentId: null, author: { id: 'me', name: 'Me' }, article: 'a1' });
    const childKey = s.addLocal({ clientId: 'c', body: 'child', parentId: parentKey, author: { id: 'me', name: 'Me' }, article: 'a1' });
    assert.deepEqual(s.snapshot().map((c) => [c.key, c.replies.map((r) => r.key)]), [[parentKey, [childKey]]]);
    s.reconcile('p', mk(1, { author: { id: 'me', name: 'Me' } }));
    assert.equal(s.serverId(parentKey), hex(1));
    s.reconcile('c', mk(2, { parentId: hex(1), author: { id: 'me', name: 'Me' } }));
    assert.deepEqual(shape(s.snapshot()), ['1[2]']);
  });

  it('optimistic reactions, and their undo', () => {
    const s = new ThreadStore('newest');
    s.addPage({ comments: [mk(1, { reactions: { like: 1 }, myReactions: [] })], nextCursor: null, total: 1 });
    const undo = s.toggleReaction({ comment: hex(1) }, 'like', true)!;
    assert.deepEqual(s.find(hex(1))!.reactions, { like: 2 });
    assert.deepEqual(s.find(hex(1))!.myReactions, ['like']);
    undo();
    assert.deepEqual(s.find(hex(1))!.reactions, { like: 1 });
    assert.deepEqual(s.find(hex(1))!.myReactions, []);
    assert.equal(s.toggleReaction({ comment: hex(1) }, 'like', false), undefined, 'already off: nothing to do');
  });

  it('rebuild after a reset replaces the loaded comments but keeps unsent posts', () => {
    const s = new ThreadStore('newest');
    s.addPage({ comments: [mk(3), mk(2), mk(1)], nextCursor: null, total: 3 });
    const key = s.addLocal({ clientId: 'x', body: 'unsent', parentId: null, author: { id: 'me', name: 'Me' }, article: 'a1' });
    s.rebuild({ comments: [mk(5), mk(3, { body: 'edited', seq: 9 }), mk(1)], nextCursor: null, total: 3 }, []);
    assert.deepEqual(shape(s.snapshot()), [key, '5', '3', '1']);
    assert.equal(s.find(hex(3))!.body, 'edited');
  });

  it('counts: live events move commentCount; replays onto fresh pages do not', () => {
    const s = new ThreadStore('newest');
    s.setArticle({ article: 'a1', commentCount: 1, reactions: {}, locked: false, viewers: 0 });
    s.addPage({ comments: [mk(1)], nextCursor: null, total: 1 });
    s.exactCounts = false;
    s.apply(created(mk(2)));
    s.apply(deleted(hex(2), 3));
    s.exactCounts = true;
    assert.equal(s.article.commentCount, 1);
    s.apply(created(mk(4)));
    assert.equal(s.article.commentCount, 2);
    s.apply({ type: 'article:updated', article: 'a1', seq: 5, locked: true, commentCount: 7 });
    assert.equal(s.article.commentCount, 7);
    assert.equal(s.article.locked, true);
  });
});

describe('sdk: ThreadStore, acknowledgements racing events', () => {
  it('an edit answer arriving after the delete event does not bring the comment back', () => {
    const s = new ThreadStore('newest');
    s.addPage({ comments: [mk(1, { author: { id: 'me', name: 'Me' } })], nextCursor: null, total: 1 });
    s.apply({ type: 'comment:deleted', article: 'a1', id: hex(1), seq: 3 });
    s.upsertOwn(mk(1, { body: 'edited', seq: 2, author: { id: 'me', name: 'Me' } }));
    assert.equal(s.snapshot().length, 0);
  });

  it('an edit that sent the comment back to moderation keeps it in its author\'s tree', () => {
    const s = new ThreadStore('newest');
    s.addPage({ comments: [mk(1, { author: { id: 'me', name: 'Me' } })], nextCursor: null, total: 1 });
    s.apply({ type: 'comment:deleted', article: 'a1', id: hex(1), seq: 3 });
    s.upsertOwn(mk(1, { body: 'a link', status: 'pending', author: { id: 'me', name: 'Me' } }));
    assert.deepEqual(s.snapshot().map((c) => c.status), ['pending']);
  });
});
