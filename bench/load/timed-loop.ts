// The loop both write generators share: `workers` loops doing one operation after another
// until the window closes; what completes inside the measured window counts.

export interface RunCommand {
  cmd: 'run';
  warmupSec: number;
  seconds: number;
}

export interface LoopReport {
  perSec: number;
  inWindow: number;
  total: number;
  errors: number;
  firstError?: string;
}

/** `op` answers an error message, or nothing when the operation succeeded. */
export async function timedLoop(workers: number, cmd: RunCommand, op: (worker: number) => Promise<string | undefined>): Promise<LoopReport> {
  const windowStart = Date.now() + cmd.warmupSec * 1000;
  const end = windowStart + cmd.seconds * 1000;
  const report: LoopReport = { perSec: 0, inWindow: 0, total: 0, errors: 0 };
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (Date.now() < end) {
        const error = await op(w);
        const at = Date.now();
        if (error !== undefined) {
          report.errors++;
          report.firstError ??= error;
          continue;
        }
        report.total++;
        if (at >= windowStart && at < end) report.inWindow++;
      }
    }),
  );
  report.perSec = report.inWindow / cmd.seconds;
  return report;
}

/** Serves `run` commands from the parent, one at a time, after `ready`. */
export function serveRuns(workers: number, op: (worker: number) => Promise<string | undefined>, onExit: () => Promise<void>): void {
  process.on('message', async (m: RunCommand | { cmd: 'exit' }) => {
    if (m.cmd === 'run') process.send!(await timedLoop(workers, m, op));
    else {
      await onExit();
      process.exit(0);
    }
  });
  process.on('disconnect', () => void onExit().finally(() => process.exit(0)));
  process.send!({ ready: true });
}
