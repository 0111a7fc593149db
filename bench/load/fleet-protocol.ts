// Messages between the run and a reader-fleet process (over the Node IPC channel).

export interface ConnectCommand {
  cmd: 'connect';
  url: string;
  site: string;
  article: string;
  count: number;
  /** Readers of one server form a group; a marker is complete when its whole group has it. */
  group: string;
  /** Connections opened at once. */
  concurrency: number;
  /** Join with `since` (a reader that loaded a page at this seq). */
  since?: number;
}

export type FleetCommand =
  | (ConnectCommand & { id: number })
  | { cmd: 'receipts'; id: number }
  | { cmd: 'disconnect'; id: number };

export type FleetReply =
  | { id: number; type: 'connected'; connected: number; failed: number; firstError?: string; joinMs: number[] }
  | { id: number; type: 'receipts'; receipts: [marker: number, atMs: number][]; delivered: number }
  | { id: number; type: 'disconnected' }
  /** Unprompted: every reader of the fleet has received the comment with this marker. */
  | { type: 'all-received'; group: string; marker: number };

/** The marker is written into each comment body, so that a receipt can name its send. */
export const markerText = (marker: number): string => `bm${marker}x`;
const MARKER = /bm(\d+)x/;
export function markerOf(body: unknown): number | undefined {
  const m = typeof body === 'string' ? MARKER.exec(body) : null;
  return m ? Number(m[1]) : undefined;
}
