// Imports in tests: sites to import into, an import run in the test server's own process, and
// the import command run as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runImport, type ImportRequest, type ImportSummary } from '../../server/src/domain/imports';
import type { TestServer } from './server';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/imports/', import.meta.url));

/** Sites of the import tests: `news` (depth cap 3, guests), `mirror` (for round trips). */
export const IMPORT_SITES = [
  { id: 'news', secret: 'news-secret-news-secret-news-secret-0', guests: true, maxDepth: 3, origins: ['http://localhost:*'] },
  { id: 'mirror', secret: 'mirror-secret-mirror-secret-mirror-01', guests: true, maxDepth: 3, origins: ['http://localhost:*'] },
];
export const secretOf = (site: string) => IMPORT_SITES.find((s) => s.id === site)!.secret;

/** Runs an import in the server's process, as the command does. */
export function importFile(server: TestServer, site: string, req: Omit<ImportRequest, 'site'>): Promise<ImportSummary> {
  const { models, events, fanout, comments, sites } = server.app.services;
  return runImport({ models, events, fanout, recounts: comments.lifecycle.recounts }, { ...req, site: sites.get(site)! });
}

/** A command (server/src/cli/NAME.ts) as a child process with the test's database and sites. */
export function command(name: 'import' | 'export', args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', `server/src/cli/${name}.ts`, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Waits for the command to end: its exit code, stdout and stderr. */
export function finished(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}
