// What an import tells when it ends (and, as it goes, its progress): threads and where each
// went, comments imported, already there, and left out with the reason.
import type { ImportFormat, MapMode } from './records';

export interface ThreadLine {
  /** The source's key of the thread (e.g. `disqus:t:123`). */
  thread: string;
  identifier: string | null;
  title: string | null;
  link: string | null;
  /** The article id it became; null when it was left out. */
  article: string | null;
  skipped?: string;
  /** Posts of the thread in the file, and how many of them are stored. */
  posts: number;
  comments: number;
}

export interface ImportSummary {
  site: string;
  format: ImportFormat;
  map: MapMode;
  dryRun: boolean;
  moderate: boolean;
  /** Threads that had posts, each with the article it became (capped in a job: `threadsListed`). */
  threads: ThreadLine[];
  threadsWithPosts: number;
  threadsListed: number;
  comments: {
    /** Posts read from the file. */
    read: number;
    /** Stored by this run (a dry run: what it would store). */
    imported: number;
    /** Stored by an earlier run of the same import. */
    alreadyPresent: number;
    /** Kept for their replies, without body or author shown. */
    tombstones: number;
    /** Stored out of view: held, rejected or spam. */
    hidden: number;
    /** Left out, by reason. */
    skipped: Record<string, number>;
  };
  reactions: { imported: number; alreadyPresent: number; skipped: number };
  articles: number;
  /** The first problems met in the file (a line that is not a comment, ...). */
  errors: string[];
  durationMs: number;
  /** Milliseconds spent in each phase. */
  phases: Partial<Record<ImportPhase, number>>;
}

export type ImportPhase = 'reading' | 'placing' | 'writing' | 'counting' | 'done';

export interface ImportProgress {
  phase: ImportPhase;
  bytesRead: number;
  bytesTotal: number;
  /** Posts read so far (reading), written so far (writing). */
  posts: number;
  written: number;
  toWrite: number;
  articlesCounted: number;
  articlesTotal: number;
}

export function emptySummary(site: string, format: ImportFormat, map: MapMode, dryRun: boolean, moderate: boolean): ImportSummary {
  return {
    site,
    format,
    map,
    dryRun,
    moderate,
    threads: [],
    threadsWithPosts: 0,
    threadsListed: 0,
    comments: { read: 0, imported: 0, alreadyPresent: 0, tombstones: 0, hidden: 0, skipped: {} },
    reactions: { imported: 0, alreadyPresent: 0, skipped: 0 },
    articles: 0,
    errors: [],
    durationMs: 0,
    phases: {},
  };
}

const MAX_ERRORS = 20;

export function skip(summary: ImportSummary, reason: string, n = 1): void {
  summary.comments.skipped[reason] = (summary.comments.skipped[reason] ?? 0) + n;
}

export function problem(summary: ImportSummary, detail: string): void {
  if (summary.errors.length < MAX_ERRORS) summary.errors.push(detail);
}
