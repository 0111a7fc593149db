// Single flight in rounds: callers that arrive while a round runs share the next one, which
// starts after it. A caller therefore never gets an answer that began before it asked (a
// freshness probe that started before a write finished could miss it), and a crowd costs one
// run per round trip, not one per caller.
export class Rounds<T> {
  private running: Promise<T> | undefined;
  private queued: Promise<T> | undefined;

  run(fn: () => Promise<T>): Promise<T> {
    if (!this.running) return this.start(fn);
    if (!this.queued) {
      const settled = this.running.then(
        () => undefined,
        () => undefined,
      );
      this.queued = settled.then(() => {
        this.queued = undefined;
        return this.start(fn);
      });
    }
    return this.queued;
  }

  get idle(): boolean {
    return !this.running && !this.queued;
  }

  private start(fn: () => Promise<T>): Promise<T> {
    const p = fn();
    this.running = p;
    const clear = () => {
      if (this.running === p) this.running = undefined;
    };
    p.then(clear, clear);
    return p;
  }
}
