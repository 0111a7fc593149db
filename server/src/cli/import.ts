// `npm run import -- --site SITE --format disqus|wordpress|charcha FILE [--map identifier|url-path|slug]
//  [--dry-run] [--moderate] [--json]`: imports an export file into a site. Progress on stderr
// (a bar on a terminal, a line every few seconds otherwise); the summary on stdout (as JSON
// with --json). Safe to run again: what is already stored is not stored twice. docs/IMPORT.md.
import { access } from 'node:fs/promises';
import { SingleBar } from 'cli-progress';
import { FORMATS, MAPS, runImport, type ImportFormat, type ImportProgress, type ImportSummary, type MapMode } from '../domain/imports';
import { args, openCharcha, run, UsageError } from './context';

const USAGE = `usage: npm run import -- --site SITE --format ${FORMATS.join('|')} FILE [--map ${MAPS.join('|')}] [--dry-run] [--moderate] [--json]`;

run(USAGE, async () => {
  const { values, positionals } = args({
    allowPositionals: true,
    options: {
      site: { type: 'string' },
      format: { type: 'string' },
      map: { type: 'string', default: 'identifier' },
      'dry-run': { type: 'boolean', default: false },
      moderate: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.site) throw new UsageError('--site is required');
  if (!FORMATS.includes(values.format as ImportFormat)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  if (!MAPS.includes(values.map as MapMode)) throw new UsageError(`--map must be one of ${MAPS.join(', ')}`);
  if (positionals.length !== 1) throw new UsageError('give exactly one FILE');
  const file = positionals[0]!;
  await access(file).catch(() => {
    throw new UsageError(`cannot read ${file}`);
  });

  const charcha = await openCharcha();
  try {
    const site = charcha.site(values.site);
    const { models, events, fanout, comments } = charcha.app.services;
    const show = progressDisplay();
    const summary = await runImport(
      { models, events, fanout, recounts: comments.lifecycle.recounts },
      { site, format: values.format as ImportFormat, file, map: values.map as MapMode, dryRun: values['dry-run'], moderate: values.moderate },
      show.update,
    ).finally(show.stop);
    process.stdout.write(values.json ? JSON.stringify(summary, null, 2) + '\n' : describe(summary));
  } finally {
    await charcha.close();
  }
});

const PHASES: Record<ImportProgress['phase'], string> = { reading: 'reading ', placing: 'placing ', writing: 'writing ', counting: 'counting', done: 'done    ' };

/** A bar on a terminal; elsewhere (a log, CI) a line every 10 seconds. */
function progressDisplay(): { update(p: ImportProgress): void; stop(): void } {
  const measure = (p: ImportProgress) =>
    p.phase === 'reading' ? { value: p.bytesRead, total: p.bytesTotal, unit: `bytes, ${p.posts} posts` }
    : p.phase === 'counting' ? { value: p.articlesCounted, total: p.articlesTotal, unit: 'articles' }
    : { value: p.written, total: p.toWrite, unit: 'comments' };
  if (!process.stderr.isTTY) {
    let last = Date.now();
    return {
      update(p) {
        if (Date.now() - last < 10_000) return;
        last = Date.now();
        const m = measure(p);
        process.stderr.write(`import: ${p.phase} ${m.total ? Math.floor((100 * m.value) / m.total) : 0}% (${m.value}/${m.total} ${m.unit})\n`);
      },
      stop() {},
    };
  }
  const bar = new SingleBar({ stream: process.stderr, format: '{phase} [{bar}] {percentage}% {value}/{total} {unit}', hideCursor: true, clearOnComplete: false });
  let phase: string | null = null;
  return {
    update(p) {
      const m = measure(p);
      if (p.phase !== phase) {
        if (phase === null) bar.start(m.total, m.value, { phase: PHASES[p.phase], unit: m.unit });
        else bar.setTotal(m.total);
        phase = p.phase;
      }
      bar.update(m.value, { phase: PHASES[p.phase], unit: m.unit });
    },
    stop: () => bar.stop(),
  };
}

function describe(s: ImportSummary): string {
  const c = s.comments;
  const lines = [
    `${s.dryRun ? 'Dry run: nothing was stored. ' : ''}Imported ${s.format} into site "${s.site}" (articles by ${s.map}) in ${(s.durationMs / 1000).toFixed(1)} s.`,
    `Comments: ${c.read} read, ${c.imported} ${s.dryRun ? 'would be imported' : 'imported'}, ${c.alreadyPresent} already there; ${c.tombstones} kept as tombstones for their replies, ${c.hidden} kept out of view (held, rejected or spam).`,
  ];
  const skipped = Object.entries(c.skipped);
  if (skipped.length) lines.push('Left out:', ...skipped.map(([why, n]) => `  ${n} ${why}`));
  if (s.reactions.imported || s.reactions.alreadyPresent || s.reactions.skipped) {
    lines.push(`Reactions: ${s.reactions.imported} imported, ${s.reactions.alreadyPresent} already there, ${s.reactions.skipped} of kinds this site does not have.`);
  }
  lines.push(`Threads (${s.threadsWithPosts} with posts, into ${s.articles} articles):`);
  for (const t of s.threads) {
    const where = t.article ? `→ ${t.article}` : `left out: ${t.skipped ?? 'no comments to keep'}`;
    lines.push(`  ${t.thread} ${where} (${t.comments} of ${t.posts} posts)${t.title ? ` "${t.title}"` : ''}`);
  }
  if (s.errors.length) lines.push('Problems in the file:', ...s.errors.map((e) => `  ${e}`));
  return lines.join('\n') + '\n';
}
