// Coalesces bursts of changes per key into few flushes: the first change of a quiet key is
// flushed at once (leading edge), changes during or shortly after a flush are folded into one
// more flush with the latest data (trailing edge), and two flushes of one key always end at
// least `intervalMs` apart. Flushes of one key never overlap. Optionally, once a key has had
// no change for `settleMs` after its last flush, `settle` runs once (a final, exact pass).
export interface CoalescerOptions<T> {
  /** Least time between the end of one flush of a key and the end of the next. */
  intervalMs: number;
  flush(key: string, data: T): Promise<void>;
  /** Quiet time after the last flush before `settle` runs; needs `settle`. */
  settleMs?: number;
  settle?(key: string, data: T): Promise<void>;
  onError(err: unknown, key: string): void;
}

interface KeyState<T> {
  data: T;
  /** Changed since the current or last flush started. */
  dirty: boolean;
  busy: Promise<void> | null;
  /** When the last flush (or settle) ended; 0 before the first. */
  lastEnd: number;
  timer: NodeJS.Timeout | null;
  /** What the timer will run: a flush of changes, the settle pass, or the key's expiry. */
  next: 'flush' | 'settle' | 'expire' | null;
}

export class Coalescer<T> {
  private readonly keys = new Map<string, KeyState<T>>();
  private stopped = false;

  constructor(private readonly opts: CoalescerOptions<T>) {}

  /** Records a change of `key`; `data` replaces what an earlier change of the key gave. */
  touch(key: string, data: T): void {
    if (this.stopped) return;
    let s = this.keys.get(key);
    if (!s) this.keys.set(key, (s = { data, dirty: false, busy: null, lastEnd: 0, timer: null, next: null }));
    s.data = data;
    if (s.dirty && (s.busy || s.timer)) return; // a flush is already due
    s.dirty = true;
    if (s.busy) return; // rescheduled when the running pass ends
    this.scheduleFlush(key, s);
  }

  /** Keys with pending or running work. */
  get size(): number {
    return this.keys.size;
  }

  /**
   * Runs at once what is scheduled (a pending flush or settle pass: readers must still get the
   * last totals when a node shuts down), waits for what runs; later touches are ignored.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    const running: Promise<void>[] = [];
    for (const [key, s] of this.keys) {
      if (s.timer) clearTimeout(s.timer);
      s.timer = null;
      const due = s.dirty ? this.opts.flush : s.next === 'settle' ? this.opts.settle : undefined;
      if (s.busy) {
        const dirtyAfter = s.busy.then(() => (s.dirty ? this.opts.flush(key, s.data).catch((err) => this.opts.onError(err, key)) : undefined));
        running.push(dirtyAfter);
      } else if (due) {
        s.dirty = false;
        running.push(due(key, s.data).catch((err) => this.opts.onError(err, key)));
      }
    }
    await Promise.all(running);
    this.keys.clear();
  }

  private scheduleFlush(key: string, s: KeyState<T>): void {
    if (s.timer) clearTimeout(s.timer);
    const delay = s.lastEnd === 0 ? 0 : Math.max(0, s.lastEnd + this.opts.intervalMs - Date.now());
    s.next = 'flush';
    s.timer = this.later(delay, () => this.run(key, s, this.opts.flush));
  }

  private run(key: string, s: KeyState<T>, pass: (key: string, data: T) => Promise<void>): void {
    s.timer = null;
    s.next = null;
    s.dirty = false;
    s.busy = pass(key, s.data)
      .catch((err) => this.opts.onError(err, key))
      .finally(() => {
        s.busy = null;
        s.lastEnd = Date.now();
        if (this.stopped) return;
        if (s.dirty) return this.scheduleFlush(key, s);
        if (pass === this.opts.flush && this.opts.settle) {
          const settle = this.opts.settle;
          s.next = 'settle';
          s.timer = this.later(this.opts.settleMs ?? this.opts.intervalMs, () => this.run(key, s, settle));
          return;
        }
        // Keep the key until its interval is over, so a new change still waits its turn.
        s.next = 'expire';
        s.timer = this.later(this.opts.intervalMs, () => {
          if (this.keys.get(key) === s && !s.dirty && !s.busy) this.keys.delete(key);
        });
      });
  }

  private later(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  }
}
