// Applies an article's events exactly once and in order, by their seq. Live events and the
// ones a join replays (`missed`) may overlap or arrive out of order: an event is applied when
// its seq is the next one, ignored when it is not newer, and held when it is early. Whatever
// is held past the next seq is a gap; the thread then waits briefly and rejoins with `since`.

export interface Sequenced {
  seq: number;
}

export class Sequencer<E extends Sequenced> {
  /** Seq of the last event applied (or the state's base): undefined before the first sync. */
  last: number | undefined;
  private readonly held = new Map<number, E>();
  private holding = true;

  constructor(private readonly apply: (event: E) => void) {}

  /** A live event. Returns true when events are held beyond a gap. */
  push(event: E): boolean {
    if (this.last !== undefined && event.seq <= this.last) return false;
    this.held.set(event.seq, event);
    if (this.holding) return false;
    return this.flush();
  }

  /** Keeps live events without applying them (a join or reload is in progress). */
  hold(): void {
    this.holding = true;
  }

  get isHolding(): boolean {
    return this.holding;
  }

  /**
   * The state reflects every event up to `base`: applies `missed`, then what was held, in
   * order. `upTo` is the seq the server reported; returns true when something is still missing.
   */
  resume(base: number, missed: readonly E[] = [], upTo = base): boolean {
    this.last = base;
    for (const e of missed) if (e.seq > base && !this.held.has(e.seq)) this.held.set(e.seq, e);
    this.holding = false;
    const gap = this.flush();
    return gap || (this.last ?? 0) < upTo;
  }

  /** How many events wait behind a gap. */
  get heldCount(): number {
    return this.held.size;
  }

  private flush(): boolean {
    let last = this.last ?? 0;
    for (const seq of [...this.held.keys()]) if (seq <= last) this.held.delete(seq);
    for (;;) {
      const next = this.held.get(last + 1);
      if (!next) break;
      this.held.delete(last + 1);
      last += 1;
      this.last = last;
      this.apply(next);
    }
    return this.held.size > 0;
  }
}
