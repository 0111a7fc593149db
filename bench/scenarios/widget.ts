// The widget's weight: embed.js gzipped, as built by `node scripts/build.mjs` into dist/web/,
// and with the comment-section chunk a reader downloads next (the build's size budget).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from '../processes';
import { compare, type ScenarioResult } from '../result';

const OUT = join(ROOT, 'dist', 'web');
// The same budget scripts/build.mjs enforces (see docs/ARCHITECTURE.md, "The widget's weight").
const BUDGET_BYTES = 44 * 1024;

const gzipped = (file: string) => gzipSync(readFileSync(join(OUT, file)), { level: 9 }).length;

export function runWidget(): ScenarioResult[] {
  const manifestFile = join(OUT, 'manifest.json');
  const manifest: Record<string, string> = existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, 'utf8')) : {};
  const embed = manifest['embed.js'] ?? (existsSync(join(OUT, 'embed.js')) ? 'embed.js' : undefined);
  if (!embed) {
    return [
      compare({
        scenario: 'widget embed.js',
        metric: 'bytes gzipped',
        charcha: null,
        baseline: null,
        baselineName: '-',
        target: null,
        settings: {},
        note: 'dist/web/embed.js not built (node scripts/build.mjs)',
      }),
    ];
  }
  const embedGz = gzipped(embed);
  const chunks = Object.entries(manifest).filter(([name]) => /^widget-.+\.js$/.test(name));
  const heaviest = chunks.map(([name, file]) => ({ name, gz: gzipped(file) })).sort((a, b) => b.gz - a.gz)[0];
  const results = [
    compare({ scenario: 'widget embed.js', metric: 'bytes gzipped', charcha: embedGz, baseline: null, baselineName: '-', target: null, settings: { file: `dist/web/${embed}`, gzipLevel: 9 } }),
  ];
  if (heaviest) {
    results.push(
      compare({
        scenario: `widget embed.js + ${heaviest.name}`,
        metric: 'bytes gzipped',
        charcha: embedGz + heaviest.gz,
        baseline: BUDGET_BYTES,
        baselineName: 'size budget (42 KB)',
        target: { text: '≤ budget', atMost: 1 },
        settings: { chunks: chunks.map(([n]) => n), gzipLevel: 9 },
      }),
    );
  }
  return results;
}
