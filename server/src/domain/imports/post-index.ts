// Where every post of a source goes, decided before anything is written: a compact map (typed
// arrays, one slot per post) filled while the file is read the first time, then resolved as a
// whole, because a reply may come before the post it answers and a deleted post stays (as a
// tombstone) only if a reply that readers see hangs under it. Memory: about 100 bytes a post.

/** A post's state in the index. */
export const ST = { unknown: 0, published: 1, pending: 2, rejected: 3, spam: 4, deleted: 5, skipped: 6 } as const;
export type StateCode = (typeof ST)[keyof typeof ST];

const NONE = -1;

export class PostIndex {
  private ords = new Map<string, number>();
  private cap = 0;
  size = 0;
  /** Thread ordinal (ThreadTable), NONE while the post is only known as someone's parent. */
  thread = new Int32Array(0);
  parent = new Int32Array(0);
  state = new Uint8Array(0);
  /** The author's name, by its index in `names` (a capped reply names whom it answers). */
  name = new Int32Array(0);
  /** The comment's `_id`, 12 bytes a post. */
  ids = new Uint8Array(0);
  readonly names: string[] = [];
  private readonly nameIds = new Map<string, number>();

  // Resolved by resolve():
  /** The parent it is stored under (NONE: top level). */
  eff = new Int32Array(0);
  depth = new Int16Array(0);
  /** The post it answers when stored beside it at the depth cap. */
  replyTo = new Int32Array(0);
  /** Readers see it: published, or a tombstone with visible replies. */
  visible = new Uint8Array(0);
  /** Replies readers see directly under it. */
  replies = new Int32Array(0);
  /** It is stored (a deleted post without visible replies and skipped posts are not). */
  stored = new Uint8Array(0);

  /** The slot of `key`, made when first seen (as a post or as a parent). */
  slot(key: string): number {
    let o = this.ords.get(key);
    if (o === undefined) {
      if (this.size === this.cap) this.grow();
      o = this.size++;
      this.ords.set(key, o);
      this.thread[o] = NONE;
      this.parent[o] = NONE;
    }
    return o;
  }

  /** Records a post; null when its key was already defined (the second one is skipped). */
  define(key: string, p: { thread: number; parent: string | null; state: StateCode; name: string; id: Uint8Array }): number | null {
    const o = this.slot(key);
    if (this.state[o] !== ST.unknown) return null;
    this.thread[o] = p.thread;
    this.parent[o] = p.parent ? this.slot(p.parent) : NONE;
    this.state[o] = p.state;
    let n = this.nameIds.get(p.name);
    if (n === undefined) {
      n = this.names.length;
      this.names.push(p.name);
      this.nameIds.set(p.name, n);
    }
    this.name[o] = n;
    this.ids.set(p.id, o * 12);
    return o;
  }

  idOf(o: number): Uint8Array {
    return this.ids.subarray(o * 12, o * 12 + 12);
  }

  /**
   * Places every post. `threadKept(t)`: the thread is imported. A post is placed under the
   * nearest ancestor that is imported (in the same thread; else at the top level) and, below
   * the site's `maxDepth`, beside its parent as CommentService.placeReply does for live replies.
   */
  resolve(maxDepth: number, threadKept: (t: number) => boolean): void {
    this.ords = new Map(); // keys are no longer needed: free them before the write pass
    const n = this.size;
    const base = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const s = this.state[i]!;
      base[i] = s !== ST.unknown && s !== ST.skipped && this.thread[i]! >= 0 && threadKept(this.thread[i]!) ? 1 : 0;
    }
    const kept = new Int32Array(n).fill(NONE);
    for (let i = 0; i < n; i++) if (base[i]) kept[i] = this.keptParent(i, base);

    this.eff = new Int32Array(n).fill(NONE);
    this.depth = new Int16Array(n).fill(-1);
    this.replyTo = new Int32Array(n).fill(NONE);
    const visiting = new Uint8Array(n);
    const stack: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!base[i] || this.depth[i]! >= 0) continue;
      stack.push(i);
      visiting[i] = 1;
      while (stack.length) {
        const top = stack[stack.length - 1]!;
        const p = kept[top]!;
        if (p !== NONE && this.depth[p]! < 0) {
          if (visiting[p]) kept[top] = NONE; // a cycle of replies: this one starts the thread
          else {
            visiting[p] = 1;
            stack.push(p);
          }
          continue;
        }
        this.place(top, p, maxDepth);
        stack.pop();
      }
    }

    this.visible = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (!base[i] || this.state[i] !== ST.published) continue;
      for (let j = i; j !== NONE && !this.visible[j]; j = this.eff[j]!) this.visible[j] = 1;
    }
    this.replies = new Int32Array(n);
    this.stored = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (!base[i]) continue;
      this.stored[i] = this.visible[i] || this.state[i] !== ST.deleted ? 1 : 0;
      if (this.visible[i] && this.eff[i] !== NONE) this.replies[this.eff[i]!]!++;
    }
  }

  /** The nearest imported ancestor in the same thread, walking past skipped posts. */
  private keptParent(i: number, base: Uint8Array): number {
    let p = this.parent[i]!;
    for (let steps = 0; p !== NONE && !base[p]; steps++) {
      if (steps > this.size) return NONE;
      p = this.parent[p]!;
    }
    return p !== NONE && this.thread[p] === this.thread[i] ? p : NONE;
  }

  private place(i: number, p: number, maxDepth: number): void {
    if (p === NONE) {
      this.depth[i] = 0;
      return;
    }
    const pd = this.depth[p]!;
    if (pd >= maxDepth && this.eff[p] !== NONE) {
      this.eff[i] = this.eff[p]!;
      this.depth[i] = pd;
      this.replyTo[i] = p;
    } else {
      this.eff[i] = p;
      this.depth[i] = pd + 1;
    }
  }

  /** The `_id`s of the parents it is stored under, the top-level one first. */
  ancestors(o: number): number[] {
    const out: number[] = [];
    for (let p = this.eff[o]!; p !== NONE; p = this.eff[p]!) out.push(p);
    return out.reverse();
  }

  private grow(): void {
    const cap = Math.max(1024, this.cap * 2);
    const widen = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T, per = 1): T => {
      const b = make(cap * per);
      b.set(a);
      return b;
    };
    this.thread = widen(this.thread, (k) => new Int32Array(k));
    this.parent = widen(this.parent, (k) => new Int32Array(k));
    this.state = widen(this.state, (k) => new Uint8Array(k));
    this.name = widen(this.name, (k) => new Int32Array(k));
    this.ids = widen(this.ids, (k) => new Uint8Array(k), 12);
    this.cap = cap;
  }
}

/** The source's threads, by key, with where each went. */
export interface ThreadEntry {
  key: string;
  defined: boolean;
  title: string | null;
  link: string | null;
  identifier: string | null;
  closed: boolean;
  article: string | null;
  skip: string | null;
  /** Posts of the thread read, and stored. */
  posts: number;
  stored: number;
}

export class ThreadTable {
  private readonly ords = new Map<string, number>();
  readonly list: ThreadEntry[] = [];

  slot(key: string): number {
    let o = this.ords.get(key);
    if (o === undefined) {
      o = this.list.length;
      this.ords.set(key, o);
      this.list.push({ key, defined: false, title: null, link: null, identifier: null, closed: false, article: null, skip: null, posts: 0, stored: 0 });
    }
    return o;
  }
}
