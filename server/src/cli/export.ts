// `npm run export -- --site SITE [--article A] > file.ndjson`: a site's comments (or one
// article's) as NDJSON on stdout, one comment a line, read with a cursor. The format is in
// docs/IMPORT.md; `npm run import -- --format charcha` reads it back. (`npm run -s export`
// keeps npm's own banner out of the file; the import skips it anyway.)
import { once } from 'node:events';
import { exportComments } from '../domain/exports';
import { ArticleId } from '../domain/inputs';
import { args, openCharcha, run, UsageError } from './context';

const USAGE = 'usage: npm run export -- --site SITE [--article ARTICLE] > file.ndjson';

run(USAGE, async () => {
  const { values } = args({ options: { site: { type: 'string' }, article: { type: 'string' } } });
  if (!values.site) throw new UsageError('--site is required');
  if (values.article !== undefined && !ArticleId.safeParse(values.article).success) throw new UsageError(`--article: "${values.article}" is not an article id`);
  const charcha = await openCharcha();
  try {
    const site = charcha.site(values.site);
    let n = 0;
    for await (const line of exportComments(charcha.app.services.models, { site: site.id, ...(values.article ? { article: values.article } : {}) })) {
      n++;
      if (!process.stdout.write(line)) await once(process.stdout, 'drain');
    }
    process.stderr.write(`exported ${n} comments of site "${site.id}"${values.article ? `, article "${values.article}"` : ''}\n`);
  } finally {
    await charcha.close();
  }
});
