// The state of one article's thread, and every change to it: pages, live events, the
// author's own unsent comments, reactions. No I/O here: the thread feeds it, tests drive it.
//
// Nodes are keyed by comment id, except the author's own posts, which keep the key they got
// while unsent (`local:<clientId>`) so a UI's list keys never change. Snapshots are rebuilt
// lazily and only along the path of a change: an unchanged comment keeps its object, which
// makes `memo` and `useSyncExternalStore` cheap.
import type { CharchaError } from './errors';
import type {
  ArticleEvent,
  ArticleView,
  Comment,
  CommentPage,
  ReactionState,
  ReactionTarget,
  ReactionTotals,
  SortOrder,
} from './protocol';

export type LocalState = 'queued' | 'sending' | 'failed';

/** On a comment that is not stored on the server yet. */
export interface LocalInfo {
  state: LocalState;
  clientId: string;
  attempts: number;
  error?: CharchaError;
  /** Sends a failed comment again (same clientId: it can never appear twice). */
  retry(): Promise<ThreadComment>;
  /** Takes an unsent comment out of the tree. */
  discard(): void;
}

export interface ThreadComment extends Omit<Comment, 'replies'> {
  /** Stable across the post's life: `local:<clientId>` for comments posted here, else the id. */
  key: string;
  /** Loaded direct replies, oldest first. */
  replies: ThreadComment[];
  /** Direct replies on the server that are not loaded here (`thread.loadReplies`). */
  moreReplies: number;
  /** Present while the comment is not stored on the server yet. */
  local?: LocalInfo;
}

export interface ArticleState {
  commentCount: number;
  locked: boolean;
  reactions: ReactionTotals;
  myReactions: string[];
  /** The kinds the site takes (from the article view; empty until it is read). */
  reactionKinds: string[];
}

/** Who "I" am, to recognise my own comments in the live stream. */
export interface Me {
  id?: string;
  guestName?: string;
}

interface Node {
  key: string;
  c: Comment;
  children: string[];
  /** Every direct reply is in `children` (so a live reply can go there). */
  complete: boolean;
  /** Replies were loaded with loadReplies; `cursor` continues them. */
  expanded: boolean;
  cursor: string | null;
  local?: { clientId: string; state: LocalState; attempts: number; error?: CharchaError };
  own: boolean;
  shadowed: boolean;
  snap?: ThreadComment;
}

type Mode = 'event' | 'ack' | 'fresh';
type Actions = (key: string) => Pick<LocalInfo, 'retry' | 'discard'>;

const VISIBLE = (s: Comment['status']) => s === 'published' || s === 'deleted';
export const localKey = (clientId: string) => `local:${clientId}`;

export class ThreadStore {
  private readonly nodes = new Map<string, Node>();
  /** Server id → key, where they differ (own posts). */
  private readonly ids = new Map<string, string>();
  private top: string[] = [];
  private readonly shadows = new Set<string>();
  private snap: ThreadComment[] | undefined;
  /** Next page of top-level comments; null at the end. */
  cursor: string | null = null;
  viewers = 0;
  article: ArticleState = { commentCount: 0, locked: false, reactions: {}, myReactions: [], reactionKinds: [] };
  me: Me = {};
  /**
   * False while replaying events onto a state that may already hold some of them (just after
   * a page load): relative counters (commentCount, replyCount) are then left alone.
   */
  exactCounts = true;
  /** Rises with every change. */
  version = 0;

  constructor(
    readonly sort: SortOrder,
    private readonly actions: Actions = () => ({ retry: () => Promise.reject(new Error('no outbox')), discard() {} }),
  ) {}

  // ---------------------------------------------------------------- reading

  get hasMore(): boolean {
    return this.cursor !== null;
  }

  snapshot(): ThreadComment[] {
    if (!this.snap) this.snap = this.visible(this.top).map((n) => this.snapOf(n));
    return this.snap;
  }

  find(idOrKey: string): ThreadComment | undefined {
    const n = this.node(idOrKey);
    return n && !n.shadowed ? this.snapOf(n) : undefined;
  }

  /** The comment's server id, or undefined while it is unsent. */
  serverId(idOrKey: string): string | undefined {
    const n = this.node(idOrKey);
    if (!n) return /^[0-9a-f]{24}$/i.test(idOrKey) ? idOrKey : undefined;
    return n.local ? undefined : n.c.id;
  }

  /** Where loadReplies continues: the cursor of the last replies page, or null (from the start). */
  repliesCursor(idOrKey: string): string | null {
    const n = this.node(idOrKey);
    return n?.expanded ? n.cursor : null;
  }

  localState(idOrKey: string): LocalState | undefined {
    return this.node(idOrKey)?.local?.state;
  }

  /** Highest comment seq held: the state reflects at least every event up to it. */
  maxSeq(): number {
    let max = 0;
    for (const n of this.nodes.values()) if (!n.local && n.c.seq > max) max = n.c.seq;
    return max;
  }

  topCount(): number {
    let count = 0;
    for (const k of this.top) if (!this.nodes.get(k)?.local) count++;
    return count;
  }

  /** Comments whose replies were loaded past the first ones, parents first: what a reload repeats. */
  expanded(): { id: string; depth: number; count: number }[] {
    const out: { id: string; depth: number; count: number }[] = [];
    for (const n of this.nodes.values()) {
      if (n.expanded && !n.local) out.push({ id: n.c.id, depth: n.c.depth, count: n.children.length });
    }
    return out.sort((a, b) => a.depth - b.depth);
  }

  // ---------------------------------------------------------------- pages

  /** Appends a page of top-level comments (each with its first replies); skips known ones. */
  addPage(page: CommentPage): void {
    for (const c of page.comments) {
      const known = this.node(c.id);
      const n = known ?? this.create(c);
      if (known) this.update(n, c, 'ack');
      else this.top.push(n.key);
      if (c.replies) {
        for (const r of c.replies) this.addChild(n, r);
        if (!n.expanded) n.complete = this.serverChildren(n) >= n.c.replyCount;
      }
      this.touch(n);
    }
    this.cursor = page.nextCursor;
    this.changedTop();
  }

  /** Adds a page of a comment's direct replies (oldest first). */
  addReplies(parentIdOrKey: string, page: CommentPage): boolean {
    const parent = this.node(parentIdOrKey);
    if (!parent) return false;
    for (const r of page.comments) this.addChild(parent, r);
    parent.expanded = true;
    parent.cursor = page.nextCursor;
    parent.complete = page.nextCursor === null;
    this.touch(parent);
    return true;
  }

  private addChild(parent: Node, c: Comment): void {
    const known = this.node(c.id);
    if (known) {
      this.update(known, c, 'ack');
      return;
    }
    const n = this.create(c);
    this.insertChild(parent, n.key);
  }

  setArticle(view: ArticleView): void {
    this.article = {
      commentCount: view.commentCount,
      locked: view.locked,
      reactions: { ...view.reactions },
      myReactions: view.myReactions ?? this.article.myReactions,
      reactionKinds: view.reactionKinds ?? this.article.reactionKinds,
    };
    this.viewers = view.viewers;
    this.version++;
  }

  setViewers(viewers: number): boolean {
    if (this.viewers === viewers) return false;
    this.viewers = viewers;
    this.version++;
    return true;
  }

  /**
   * Replaces everything loaded with fresh pages (after a `reset`), keeping the comments
   * that are only here: unsent posts and the author's comments held for moderation.
   */
  rebuild(top: CommentPage, replies: { parent: string; page: CommentPage }[]): void {
    const kept = [...this.nodes.values()].filter((n) => n.local || (n.own && !VISIBLE(n.c.status)));
    this.nodes.clear();
    this.ids.clear();
    this.shadows.clear();
    this.top = [];
    this.addPage(top);
    for (const r of replies) this.addReplies(r.parent, r.page);
    for (const n of kept) {
      n.children = n.children.filter((k) => kept.some((m) => m.key === k));
      n.snap = undefined;
      if (this.node(n.c.id)) continue; // it is back in the fresh pages
      this.nodes.set(n.key, n);
      if (n.key !== n.c.id) this.ids.set(n.c.id, n.key);
    }
    for (const n of kept) if (this.nodes.get(n.key) === n) this.place(n, true);
    this.changedTop();
  }

  // ---------------------------------------------------------------- live events

  /** Applies one sequenced event; returns true when anything changed. */
  apply(ev: ArticleEvent): boolean {
    switch (ev.type) {
      case 'comment:created':
      case 'comment:updated': {
        const { type: _t, ...c } = ev;
        const known = this.node(c.id);
        if (known) {
          const wasVisible = known.c.status === 'published';
          const changed = this.update(known, c, 'event');
          if (changed && wasVisible && c.status !== 'published') this.count(-1);
          return changed;
        }
        if (ev.type === 'comment:updated' || !VISIBLE(c.status)) return false;
        if (c.status === 'published') this.count(+1);
        this.insertLive(c);
        return true;
      }
      case 'comment:deleted': {
        this.count(-1);
        const n = this.node(ev.id);
        if (!n) return true;
        const parent = n.c.parentId ? this.node(n.c.parentId) : undefined;
        if (parent && this.exactCounts) {
          parent.c = { ...parent.c, replyCount: Math.max(0, parent.c.replyCount - 1) };
        }
        this.drop(n);
        return true;
      }
      case 'reaction:updated': {
        if ('article' in ev.target) {
          this.article = { ...this.article, reactions: { ...ev.reactions } };
          this.version++;
          return true;
        }
        const n = this.node(ev.target.comment);
        if (!n || n.c.seq > ev.seq) return false;
        n.c = { ...n.c, reactions: { ...ev.reactions } };
        this.touch(n);
        return true;
      }
      case 'article:updated':
        this.article = { ...this.article, locked: ev.locked, commentCount: ev.commentCount };
        this.version++;
        return true;
      default:
        return false;
    }
  }

  private count(delta: number): void {
    if (!this.exactCounts) return;
    this.article = { ...this.article, commentCount: Math.max(0, this.article.commentCount + delta) };
    this.version++;
  }

  private insertLive(c: Comment): void {
    const mine = this.isMine(c);
    const n = this.create(c);
    if (mine && this.inFlight()) {
      // Probably the echo of a post whose acknowledgement is on its way: hidden until then,
      // so the author never sees it twice.
      n.shadowed = true;
      this.shadows.add(n.key);
    }
    if (!this.place(n, false)) this.forget(n);
  }

  // ---------------------------------------------------------------- the author's own comments

  /** Shows a comment that is being posted. */
  addLocal(p: { clientId: string; body: string; parentId: string | null; author: Comment['author']; article: string }): string {
    const key = localKey(p.clientId);
    const parent = p.parentId ? this.node(p.parentId) : undefined;
    const c: Comment = {
      id: key,
      article: p.article,
      parentId: parent ? parent.key : p.parentId,
      replyTo: null,
      depth: parent ? parent.c.depth + 1 : 0,
      author: p.author,
      body: p.body,
      status: 'published',
      rev: 0,
      createdAt: new Date().toISOString(),
      editedAt: null,
      reactions: {},
      myReactions: [],
      replyCount: 0,
      seq: 0,
    };
    const n = this.create(c, key);
    n.own = true;
    n.local = { clientId: p.clientId, state: 'queued', attempts: 0 };
    this.place(n, true);
    return key;
  }

  setLocal(clientId: string, patch: Partial<Pick<LocalInfo, 'state' | 'attempts' | 'error'>>): void {
    const n = this.nodes.get(localKey(clientId));
    if (!n || !n.local) return;
    n.local = { ...n.local, ...patch };
    this.touch(n);
    if (n.local.state === 'failed') this.releaseShadows();
  }

  /** Changes the body of an unsent comment. */
  setLocalBody(key: string, html: string): void {
    const n = this.nodes.get(key);
    if (!n || !n.local) return;
    n.c = { ...n.c, body: html };
    this.touch(n);
  }

  /** The server stored the post: the local comment becomes the stored one, in place. */
  reconcile(clientId: string, stored: Comment): void {
    const n = this.nodes.get(localKey(clientId));
    if (!n) {
      this.upsertOwn(stored);
      return;
    }
    let c = stored;
    const echo = this.node(stored.id);
    if (echo && echo !== n) {
      // The live event got here first: fold it into the local node.
      if (echo.c.seq > c.seq) c = { ...echo.c, myReactions: stored.myReactions ?? echo.c.myReactions };
      n.children = this.childOrder([...n.children, ...echo.children]);
      n.complete = echo.complete;
      this.unlink(echo);
      this.nodes.delete(echo.key);
      this.shadows.delete(echo.key);
    } else if (c.status === 'published') {
      // No event seen yet (and none will count it twice: the event will find this node).
      this.count(+1);
      const parent = c.parentId ? this.node(c.parentId) : undefined;
      if (parent && this.exactCounts) parent.c = { ...parent.c, replyCount: parent.c.replyCount + 1 };
    }
    this.unlink(n);
    n.c = strip(c);
    n.local = undefined;
    n.own = true;
    this.ids.set(c.id, n.key);
    this.place(n, true);
    this.touch(n);
    this.releaseShadows();
  }

  /**
   * An acknowledged comment of mine (edit): updated where it is. One that is gone is put
   * back only when it is held for moderation (readers were told it went, its author keeps
   * it); a published one that is gone was deleted by a later event, which wins.
   */
  upsertOwn(c: Comment): void {
    const known = this.node(c.id);
    if (known) {
      this.update(known, c, 'ack');
      return;
    }
    if (VISIBLE(c.status)) return;
    const n = this.create(c);
    n.own = true;
    if (!this.place(n, true)) this.forget(n);
  }

  /** Takes a comment (and what hangs under it) out of the tree. */
  remove(idOrKey: string): boolean {
    const n = this.node(idOrKey);
    if (!n) return false;
    this.drop(n);
    this.releaseShadows();
    return true;
  }

  /** Makes a comment a tombstone (deleted, with its replies kept) or removes it. */
  removeOrTombstone(idOrKey: string): void {
    const n = this.node(idOrKey);
    if (!n) return;
    if (n.c.replyCount > 0 || n.children.length > 0) {
      this.update(n, { ...n.c, status: 'deleted', body: '', author: { id: '', name: '' } }, 'fresh');
    } else this.drop(n);
  }

  // ---------------------------------------------------------------- reactions

  reactionState(target: ReactionTarget): ReactionState | undefined {
    if ('article' in target) return { reactions: this.article.reactions, myReactions: this.article.myReactions };
    const n = this.node(target.comment);
    return n ? { reactions: n.c.reactions, myReactions: n.c.myReactions ?? [] } : undefined;
  }

  setReactionState(target: ReactionTarget, state: ReactionState): void {
    if ('article' in target) {
      this.article = { ...this.article, reactions: { ...state.reactions }, myReactions: [...state.myReactions] };
      this.version++;
      return;
    }
    const n = this.node(target.comment);
    if (!n) return;
    n.c = { ...n.c, reactions: { ...state.reactions }, myReactions: [...state.myReactions] };
    this.touch(n);
  }

  /**
   * Optimistic reaction: applies it now; returns what undoes it (undefined: nothing to do).
   * The undo leaves the totals alone when an event has replaced them since: those are the
   * server's, and may already include (or not) this very reaction.
   */
  toggleReaction(target: ReactionTarget, kind: string, on: boolean): (() => void) | undefined {
    const cur = this.reactionState(target);
    if (!cur || cur.myReactions.includes(kind) === on) return undefined;
    const shift = (sign: 1 | -1, totalsToo: boolean) => {
      const s = this.reactionState(target)!;
      const reactions = totalsToo ? { ...s.reactions, [kind]: Math.max(0, (s.reactions[kind] ?? 0) + sign) } : s.reactions;
      const mine = s.myReactions.filter((k) => k !== kind);
      this.setReactionState(target, { reactions, myReactions: sign > 0 ? [...mine, kind] : mine });
      return this.reactionState(target)!.reactions;
    };
    const mark = shift(on ? 1 : -1, true);
    return () => {
      const s = this.reactionState(target);
      if (s) shift(on ? -1 : 1, s.reactions === mark);
    };
  }

  // ---------------------------------------------------------------- internals

  private node(idOrKey: string | null | undefined): Node | undefined {
    if (!idOrKey) return undefined;
    return this.nodes.get(idOrKey) ?? this.nodes.get(this.ids.get(idOrKey) ?? '');
  }

  private create(c: Comment, key = c.id): Node {
    const n: Node = {
      key,
      c: strip(c),
      children: [],
      complete: c.replyCount === 0,
      expanded: false,
      cursor: null,
      own: false,
      shadowed: false,
    };
    this.nodes.set(key, n);
    if (key !== c.id) this.ids.set(c.id, key);
    return n;
  }

  private update(n: Node, c: Comment, mode: Mode): boolean {
    if (mode === 'event' && c.seq <= n.c.seq) return false;
    if (mode === 'ack' && c.seq < n.c.seq) return false;
    const next = strip(c);
    if (next.myReactions === undefined && n.c.myReactions !== undefined) next.myReactions = n.c.myReactions;
    // A page or event that knows of fewer replies than are loaded here is behind: keep ours.
    if (mode !== 'fresh' && next.replyCount < n.c.replyCount && n.c.replyCount <= this.serverChildren(n)) {
      next.replyCount = n.c.replyCount;
    }
    n.c = next;
    if (n.c.replyCount === 0) n.complete = true;
    this.touch(n);
    return true;
  }

  /** Puts a node in the top list or under its parent; false when that is not loaded here. */
  private place(n: Node, forced: boolean): boolean {
    const parentId = n.c.parentId;
    if (parentId === null) return this.placeTop(n, forced);
    const parent = this.node(parentId);
    if (!parent) return false;
    if (!forced && !n.local && !n.own) {
      if (this.exactCounts) parent.c = { ...parent.c, replyCount: parent.c.replyCount + 1 };
      this.touch(parent);
      if (!parent.complete) return false;
    }
    this.insertChild(parent, n.key);
    return true;
  }

  private placeTop(n: Node, forced: boolean): boolean {
    const server = this.top.filter((k) => !this.nodes.get(k)?.local);
    const locals = this.top.filter((k) => this.nodes.get(k)?.local);
    const local = !!n.local;
    const newestFirst = this.sort !== 'oldest';
    if (local) {
      this.top = newestFirst ? [n.key, ...this.top] : [...this.top, n.key];
    } else if (this.sort === 'top') {
      if (forced) server.unshift(n.key);
      else if (this.cursor === null) server.push(n.key);
      else return false;
      this.top = [...locals, ...server];
    } else {
      const before = (k: string) => {
        const other = this.nodes.get(k)!.c.id;
        return newestFirst ? other > n.c.id : other < n.c.id;
      };
      let i = 0;
      while (i < server.length && before(server[i]!)) i++;
      if (i === server.length && this.cursor !== null && !forced) return false;
      server.splice(i, 0, n.key);
      this.top = newestFirst ? [...locals, ...server] : [...server, ...locals];
    }
    this.changedTop();
    return true;
  }

  /** Children stay sorted oldest first (ids rise with time), unsent ones last. */
  private insertChild(parent: Node, key: string): void {
    if (parent.children.includes(key)) return;
    const n = this.nodes.get(key)!;
    const list = parent.children;
    let i = list.length;
    if (!n.local) {
      i = 0;
      while (i < list.length) {
        const o = this.nodes.get(list[i]!);
        if (!o || o.local || o.c.id > n.c.id) break;
        i++;
      }
    }
    list.splice(i, 0, key);
    this.touch(parent);
  }

  private unlink(n: Node): void {
    const parent = n.c.parentId ? this.node(n.c.parentId) : undefined;
    if (parent && parent.children.includes(n.key)) {
      parent.children = parent.children.filter((k) => k !== n.key);
      this.touch(parent);
    }
    if (this.top.includes(n.key)) {
      this.top = this.top.filter((k) => k !== n.key);
      this.changedTop();
    }
  }

  private forget(n: Node): void {
    this.nodes.delete(n.key);
    if (n.key !== n.c.id) this.ids.delete(n.c.id);
    this.shadows.delete(n.key);
  }

  private drop(n: Node): void {
    this.unlink(n);
    const stack = [n];
    while (stack.length) {
      const m = stack.pop()!;
      for (const k of m.children) {
        const child = this.nodes.get(k);
        if (child) stack.push(child);
      }
      this.forget(m);
    }
    this.version++;
  }

  private isMine(c: Comment): boolean {
    if (this.me.id) return c.author.id === this.me.id;
    return !!this.me.guestName && !!c.author.guest && c.author.name.trim() === this.me.guestName.trim();
  }

  private inFlight(): boolean {
    for (const n of this.nodes.values()) if (n.local && n.local.state !== 'failed') return true;
    return false;
  }

  private releaseShadows(): void {
    if (this.shadows.size === 0 || this.inFlight()) return;
    for (const k of this.shadows) {
      const n = this.nodes.get(k);
      if (!n) continue;
      n.shadowed = false;
      this.touch(n);
    }
    this.shadows.clear();
  }

  private visible(keys: string[]): Node[] {
    const out: Node[] = [];
    for (const k of keys) {
      const n = this.nodes.get(k);
      if (n && !n.shadowed) out.push(n);
    }
    return out;
  }

  private snapOf(n: Node): ThreadComment {
    if (n.snap) return n.snap;
    const server = this.serverChildren(n);
    const s: ThreadComment = {
      ...n.c,
      key: n.key,
      replies: this.visible(n.children).map((m) => this.snapOf(m)),
      moreReplies: n.complete ? 0 : Math.max(0, n.c.replyCount - server),
    };
    if (n.local) s.local = { ...n.local, ...this.actions(n.key) };
    n.snap = s;
    return s;
  }

  /** Marks a node, and every ancestor, for a new snapshot. */
  private touch(n: Node): void {
    this.version++;
    this.snap = undefined;
    let cur: Node | undefined = n;
    for (let guard = 0; cur && guard < 1000; guard++) {
      cur.snap = undefined;
      cur = cur.c.parentId ? this.node(cur.c.parentId) : undefined;
    }
  }

  private changedTop(): void {
    this.version++;
    this.snap = undefined;
  }

  /** Children that are stored on the server. */
  private serverChildren(n: Node): number {
    let count = 0;
    for (const k of n.children) {
      const m = this.nodes.get(k);
      if (m && !m.local) count++;
    }
    return count;
  }

  /** Keys in child order: oldest first by id, unsent ones last. */
  private childOrder(keys: string[]): string[] {
    return [...new Set(keys)]
      .map((k) => this.nodes.get(k))
      .filter((n): n is Node => !!n)
      .sort((a, b) => (a.local ? 1 : 0) - (b.local ? 1 : 0) || (a.c.id < b.c.id ? -1 : a.c.id > b.c.id ? 1 : 0))
      .map((n) => n.key);
  }
}

/** A comment without the `replies` a page ships (they become nodes of their own). */
function strip(c: Comment): Comment {
  if (!('replies' in c) && !('type' in c)) return c;
  const { replies: _r, ...rest } = c as Comment & { type?: string };
  delete (rest as { type?: string }).type;
  return rest;
}
