// `npx tsx bench/import.ts [--comments N] [--threads N]`: the import command on a generated
// Disqus export (default 100,000 comments), against a fresh local database: its peak RSS (the
// kernel's high-water mark of the process) and its rate. A measurement run by hand; the
// figures are in docs/IMPORT.md. Not part of the tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchDatabase } from '../server/src/localdb/launcher';
import { writeDisqusFile } from './disqus-file';
import { describeMachine } from './machine';
import { ROOT } from './processes';

const { values } = parseArgs({ options: { comments: { type: 'string', default: '100000' }, threads: { type: 'string', default: '500' } } });
const comments = Number(values.comments);
const threads = Number(values.threads);
const work = mkdtempSync(join(tmpdir(), 'charcha-import-bench-'));
const say = (m: string) => process.stderr.write(`import bench: ${m}\n`);

/** The process's peak resident memory so far, in bytes (VmHWM). */
function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const file = join(work, 'disqus.xml');
  const facts = await writeDisqusFile(file, { comments, threads, seed: 42 });
  say(`generated ${comments} comments in ${threads} threads, ${(facts.bytes / 1e6).toFixed(1)} MB`);
  const db = await launchDatabase({ dataDir: join(work, 'db') });
  const sites = join(work, 'sites.json');
  writeFileSync(sites, JSON.stringify([{ id: 'bench', secret: 'bench-secret-bench-secret-bench-secret', maxDepth: 3 }]));
  try {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli/import.ts', '--site', 'bench', '--format', 'disqus', file, '--json'], {
      cwd: ROOT,
      env: { ...process.env, MONGODB_URI: new URL('/import_bench', db.uri).toString(), SITES_FILE: sites, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!))), 200);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    // The high-water mark is read once more as the process ends (it is gone after 'exit').
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearInterval(sampler);
    if (code !== 0) throw new Error(`the import command exited ${code}`);
    const wall = (Date.now() - started) / 1000;
    const summary = JSON.parse(out);
    const imported = summary.comments.imported;
    const result = {
      machine: describeMachine(),
      comments,
      threads,
      fileMB: +(facts.bytes / 1e6).toFixed(1),
      imported,
      skipped: summary.comments.skipped,
      importSeconds: +(summary.durationMs / 1000).toFixed(1),
      commandSeconds: +wall.toFixed(1),
      commentsPerSecond: Math.round(imported / (summary.durationMs / 1000)),
      phaseSeconds: Object.fromEntries(Object.entries(summary.phases as Record<string, number>).map(([k, v]) => [k, +(v / 1000).toFixed(1)])),
      peakRssMB: Math.round(peak / 1e6),
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } finally {
    await db.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
