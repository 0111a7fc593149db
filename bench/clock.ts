// One clock for every process of a run: wall-clock milliseconds with sub-millisecond
// resolution (the process's time origin plus its monotonic offset). All processes run on one
// machine, so a time taken in one can be subtracted from a time taken in another.
import { performance } from 'node:perf_hooks';

export const nowMs = (): number => performance.timeOrigin + performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
