// Imports asked for over the API: each a job, kept in `import_jobs` so that any node can report
// it, run on the node that received the file. A running job moves its
// `updatedAt` with every progress report (at most once a second); one that stopped moving for
// STALE_MS lost its node, and is reported as interrupted (running it again is safe: an import
// stores each comment once).
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { ImportJobDoc, Models } from '../../store/models';
import type { Actor } from '../actor';
import { DomainError, notFound } from '../errors';
import { runImport, type ImportDeps } from './importer';
import type { ImportFormat, MapMode } from './records';
import type { ImportProgress, ImportSummary } from './summary';

/** A running job whose progress has not moved for this long is reported as interrupted. */
export const STALE_MS = 2 * 60_000;
/** Threads listed in a job's stored summary (a document has a size limit); the rest are counted. */
const LISTED_THREADS = 1000;
const PROGRESS_EVERY_MS = 1000;

export interface ImportJobInput {
  format: ImportFormat;
  map?: MapMode;
  dryRun?: boolean;
  moderate?: boolean;
  /** The uploaded file, which the job deletes when it ends. */
  file: string;
}

export interface ImportJobView {
  id: string;
  site: string;
  format: string;
  options: Record<string, unknown>;
  state: ImportJobDoc['state'] | 'interrupted';
  progress: Partial<ImportProgress>;
  summary: ImportSummary | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

export class ImportJobs {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly models: Models,
    private readonly deps: ImportDeps,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Records the job and starts it on this node; answers at once. */
  async start(actor: Actor, input: ImportJobInput): Promise<ImportJobView> {
    const now = new Date();
    const options = { map: input.map ?? 'identifier', dryRun: !!input.dryRun, moderate: !!input.moderate };
    const doc = await this.models.ImportJob.create({
      _id: randomUUID(),
      site: actor.site.id,
      format: input.format,
      options,
      by: { id: actor.userId ?? '', name: actor.name ?? '' },
      state: 'queued',
      progress: {},
      summary: null,
      error: null,
      createdAt: now,
      updatedAt: now,
    });
    const job = doc.toObject() as ImportJobDoc;
    const run = this.run(actor, job, input).catch(this.onError);
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return view(job);
  }

  async get(site: string, id: string): Promise<ImportJobView> {
    const doc = await this.models.ImportJob.findOne({ _id: id }).lean<ImportJobDoc>();
    if (!doc || doc.site !== site) throw notFound('No such import');
    return view(doc);
  }

  /** Waits for the jobs running on this node (shutdown, tests). */
  async drain(): Promise<void> {
    await Promise.all([...this.running]);
  }

  private async run(actor: Actor, job: ImportJobDoc, input: ImportJobInput): Promise<void> {
    const set = (fields: Partial<ImportJobDoc>) => this.models.ImportJob.updateOne({ _id: job._id }, { $set: { ...fields, updatedAt: new Date() } });
    let last = 0;
    let writing: Promise<unknown> = Promise.resolve();
    try {
      await set({ state: 'running' });
      const summary = await runImport(this.deps, { site: actor.site, format: input.format, file: input.file, map: input.map, dryRun: input.dryRun, moderate: input.moderate }, (p) => {
        const now = Date.now();
        if (now - last < PROGRESS_EVERY_MS) return;
        last = now;
        const progress = { ...p };
        writing = writing.then(() => set({ progress })).catch(this.onError);
      });
      await writing;
      const stored = { ...summary, threads: summary.threads.slice(0, LISTED_THREADS), threadsListed: Math.min(summary.threads.length, LISTED_THREADS) };
      await set({ state: 'done', summary: stored as unknown as Record<string, unknown>, progress: { phase: 'done' } });
    } catch (err) {
      await writing;
      const message = err instanceof DomainError || err instanceof Error ? err.message : String(err);
      await set({ state: 'failed', error: message }).catch(this.onError);
      if (!(err instanceof DomainError)) this.onError(err);
    } finally {
      await rm(input.file, { force: true });
    }
  }
}

function view(d: ImportJobDoc): ImportJobView {
  const stale = d.state !== 'done' && d.state !== 'failed' && Date.now() - d.updatedAt.getTime() > STALE_MS;
  return {
    id: d._id,
    site: d.site,
    format: d.format,
    options: d.options,
    state: stale ? 'interrupted' : d.state,
    progress: d.progress as Partial<ImportProgress>,
    summary: d.summary as unknown as ImportSummary | null,
    error: d.error,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}
