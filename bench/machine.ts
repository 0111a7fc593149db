// The machine a run measured, for the results file and docs/BENCHMARKS.md.
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGB: number;
  node: string;
  platform: string;
  openFilesLimit: string;
}

export function describeMachine(): Machine {
  let kernel: string = process.platform;
  try {
    kernel = `linux ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()}`;
  } catch {
    // not Linux
  }
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGB: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    platform: kernel,
    openFilesLimit: openFiles(),
  };
}

function openFiles(): string {
  try {
    const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? `${m[1]} soft / ${m[2]} hard` : 'unknown';
  } catch {
    return 'unknown';
  }
}
