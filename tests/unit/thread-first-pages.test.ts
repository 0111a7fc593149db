// A thread started from a snapshot holds only its first pages. Against a thread that holds
// everything, fed the same seeded stream of events (posts, replies, edits, tombstones,
// removals, reactions, article changes): whenever it says it can answer a first page, its
// answer is the full thread's, field for field; its snapshot, when it can write one, is the
// full thread's; and it keeps answering most first pages rather than giving up at once.
import assert from 'node:assert/strict';
import type { ArticleEvent, Comment, SortOrder } from '../../client-sdk/src/protocol';
import { fromSnapshot, toSnapshot, SNAPSHOT_PAGE } from '../../server/src/domain/threads/snapshot';
import { Thread, type PageQuery } from '../../server/src/domain/threads/thread';
import { seededRandom as random } from '../helpers/random';


const ARTICLE = 'a1';
const KEY = 'demo:a1';
const SORTS: SortOrder[] = ['newest', 'oldest', 'top'];
const LIMITS = [1, 4, 20, SNAPSHOT_PAGE];
const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

describe('a thread of first pages from a snapshot', () => {
  // `all`: every kind of change, anywhere in the thread (it often has to give up);
  // `growing`: an article being commented on (posts, replies, reactions on recent comments),
  // where its newest and oldest first pages stay exact throughout; `near`: every kind of
  // change, on the comments of the newest first page and their first replies.
  for (const [seed, mix] of [[1, 'all'], [2, 'all'], [3, 'all'], [4, 'growing'], [5, 'growing'], [6, 'near'], [7, 'near'], [8, 'near']] as const) {
    it(`answers as the full thread does, or says it cannot (seed ${seed}, ${mix} changes)`, () => {
      const rnd = random(seed);
      let nextId = 0x1000;
      const newId = () => (nextId++).toString(16).padStart(24, '0');
      let seq = 0;
      // The truth: every comment as stored, and a thread that holds them all.
      const stored = new Map<string, Comment>();
      const comment = (parentId: string | null, depth: number): Comment => ({
        id: newId(),
        article: ARTICLE,
        parentId,
        replyTo: null,
        depth,
        author: { id: `u${rnd.int(9)}`, name: `पाठक ${rnd.int(9)}` },
        body: `टिप्पणी ${nextId} ${rnd.next().toString(36).slice(2, 8)}`,
        status: 'published',
        createdAt: new Date(1_700_000_000_000 + nextId * 1000).toISOString(),
        editedAt: null,
        reactions: rnd.next() < 0.3 ? { like: rnd.int(4) } : {},
        replyCount: 0,
        seq: 0,
        rev: 1,
      });
      const initial: Comment[] = [];
      for (let i = 0; i < 40 + rnd.int(40); i++) initial.push(comment(null, 0));
      for (let i = 0; i < 40; i++) {
        const parent = rnd.pick(initial)!;
        if (parent.depth < 2) initial.push(comment(parent.id, parent.depth + 1));
      }
      for (const c of initial) stored.set(c.id, c);
      seq = 100;
      const full = new Thread('demo', ARTICLE, seq, { locked: false, reactions: {}, premod: null }, initial, Date.now());
      let partial = fromSnapshot('demo', ARTICLE, toSnapshot(full, KEY)!);

      const visible = (c: Comment) => c.status === 'published' || c.status === 'deleted';
      /** The comments changes pick from: all, or (`near`) those of the newest first page and their first replies. */
      const pool = (): Comment[] => {
        if (mix !== 'near') return [...stored.values()];
        const page = full.page({ sort: 'newest', limit: SNAPSHOT_PAGE, cursor: null, parent: null }).comments;
        const near = new Set(page.flatMap((c) => [c.id, ...(c.replies ?? []).map((r) => r.id)]));
        return [...stored.values()].filter((c) => near.has(c.id));
      };
      const kidsOf = (id: string) => [...stored.values()].filter((c) => c.parentId === id && visible(c));
      const event = (type: string, payload: object): ArticleEvent => ({ ...payload, type, article: ARTICLE, seq: ++seq }) as ArticleEvent;
      const commentEvent = (type: 'comment:created' | 'comment:updated', c: Comment) => event(type, { ...c, seq: seq + 1 });

      const ops: [number, () => ArticleEvent | null][] = [
        [20, () => {
          const c = comment(null, 0);
          stored.set(c.id, c);
          return commentEvent('comment:created', c);
        }],
        [18, () => {
          const parent = rnd.pick(pool().filter((c) => c.status === 'published' && c.depth < 2));
          if (!parent) return null;
          const c = comment(parent.id, parent.depth + 1);
          stored.set(c.id, c);
          return commentEvent('comment:created', c);
        }],
        [10, () => {
          const c = rnd.pick(pool().filter((x) => x.status === 'published'));
          if (!c) return null;
          const edited = { ...c, body: `संपादित ${seq}`, editedAt: new Date().toISOString(), rev: c.rev + 1 };
          stored.set(c.id, edited);
          return commentEvent('comment:updated', edited);
        }],
        [8, () => {
          // A delete: a tombstone when readers see replies under it, else gone.
          const c = rnd.pick(pool().filter((x) => x.status === 'published'));
          if (!c) return null;
          if (kidsOf(c.id).length) {
            const tomb = { ...c, status: 'deleted' as const, body: '', rev: c.rev + 1 };
            stored.set(c.id, tomb);
            return commentEvent('comment:updated', tomb);
          }
          stored.set(c.id, { ...c, status: 'deleted', rev: c.rev + 1 });
          stored.delete(c.id);
          return event('comment:deleted', { id: c.id });
        }],
        [5, () => {
          // A rejection of one without replies: readers stop seeing it.
          const c = rnd.pick(pool().filter((x) => x.status === 'published' && !kidsOf(x.id).length));
          if (!c) return null;
          const rejected = { ...c, status: 'rejected' as const, rev: c.rev + 1 };
          stored.set(c.id, rejected);
          return commentEvent('comment:updated', rejected);
        }],
        [4, () => {
          // An approval of a rejected one.
          const c = rnd.pick(pool().filter((x) => x.status === 'rejected'));
          if (!c) return null;
          const back = { ...c, status: 'published' as const, rev: c.rev + 1 };
          stored.set(c.id, back);
          return commentEvent('comment:updated', back);
        }],
        [22, () => {
          const c = rnd.pick(pool().filter(visible));
          if (!c) return null;
          const reactions = { like: rnd.int(6), heart: rnd.int(3) };
          stored.set(c.id, { ...c, reactions });
          return event('reaction:updated', { target: { comment: c.id }, reactions });
        }],
        [3, () => event('reaction:updated', { target: { article: ARTICLE }, reactions: { like: rnd.int(9) } })],
        [2, () => event('article:updated', { locked: rnd.next() < 0.5, commentCount: 0 })],
      ];
      if (mix === 'growing') {
        for (const op of ops.slice(2)) op[0] = 0;
        ops.push([20, () => {
          const recent = [...stored.values()].filter((c) => visible(c) && !c.parentId).sort((x, y) => (x.id < y.id ? 1 : -1)).slice(0, 10);
          const c = rnd.pick(recent);
          if (!c) return null;
          const reactions = { like: rnd.int(6) };
          stored.set(c.id, { ...c, reactions });
          return event('reaction:updated', { target: { comment: c.id }, reactions });
        }]);
      }
      const weights = ops.reduce((s, [w]) => s + w, 0);

      let answered = 0;
      let asked = 0;
      let byIdMissed = 0;
      for (let step = 0; step < 800; step++) {
        let r = rnd.int(weights);
        const ev = ops.find(([w]) => (r -= w) < 0)![1]();
        if (!ev) continue;
        full.offer(ev);
        partial.offer(ev);
        assert.equal(partial.seq, full.seq);
        for (const sort of SORTS) {
          for (const limit of LIMITS) {
            const q: PageQuery = { sort, limit, cursor: null, parent: null };
            asked++;
            if (!partial.canAnswer(q)) {
              if (sort !== 'top') byIdMissed++;
              continue;
            }
            answered++;
            assert.deepStrictEqual(plain(partial.page(q)), plain(full.page(q)), `step ${step} (${ev.type}) ${sort} ${limit}`);
          }
        }
        if (partial.viewExact) assert.deepStrictEqual(partial.articleView(0), full.articleView(0), `step ${step} article view`);
        const mine = toSnapshot(partial, KEY);
        if (mine) assert.deepStrictEqual(plain({ ...mine, verifiedAt: 0 }), plain({ ...toSnapshot(full, KEY)!, verifiedAt: 0 }), `step ${step} snapshot`);
        // Now and then a node starts again from the latest snapshot.
        if (step % 150 === 149) partial = fromSnapshot('demo', ARTICLE, toSnapshot(full, KEY)!);
      }
      assert.ok(answered > 0, `answered ${answered} of ${asked} first pages`);
      if (mix === 'growing') assert.equal(byIdMissed, 0, 'newest and oldest first pages always answered');
    });
  }

  it('gives up when a removal leaves fewer first replies held than the comment has', () => {
    const mk = (n: number, parentId: string | null): Comment => ({
      id: n.toString(16).padStart(24, '0'), article: ARTICLE, parentId, replyTo: null, depth: parentId ? 1 : 0,
      author: { id: 'u', name: 'पाठक' }, body: `टिप्पणी ${n}`, status: 'published', createdAt: new Date(0).toISOString(),
      editedAt: null, reactions: {}, replyCount: 0, seq: 0, rev: 1,
    });
    const top = Array.from({ length: 30 }, (_, i) => mk(0x100 + i, null));
    const parent = top[29]!.id; // on the newest first page
    const replies = Array.from({ length: 5 }, (_, i) => mk(0x200 + i, parent));
    const full = new Thread('demo', ARTICLE, 10, { locked: false, reactions: {}, premod: null }, [...top, ...replies], Date.now());
    const partial = fromSnapshot('demo', ARTICLE, toSnapshot(full, KEY)!);
    const q: PageQuery = { sort: 'newest', limit: 20, cursor: null, parent: null };
    assert.ok(partial.canAnswer(q));
    const ev = { type: 'comment:deleted', article: ARTICLE, seq: 11, id: replies[1]!.id } as ArticleEvent;
    full.offer(ev);
    partial.offer(ev);
    assert.equal(full.page(q).comments[0]!.replies!.map((r) => r.id).join(), [0, 2, 3].map((i) => replies[i]!.id).join());
    assert.equal(partial.canAnswer(q), false, 'the fourth reply is not held');
  });
});
