// Local demo data: on a fresh local database, the sample Hindi article gets the publisher's
// sample reader comments, posted through the same domain path as any comment (so the spam
// samples land in the moderation queue and the duplicate is refused). Only for the `demo` site.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommentService } from './domain/comments';
import type { Logger } from './log';
import type { Site } from './trust/sites';

export const DEMO_ARTICLE = 'russia-pakistan-defence-2021-09-30';
const SEED_FILE = fileURLToPath(new URL('../../web/demo/seed-comments-hi.json', import.meta.url));

interface SeedComment {
  author: string;
  body: string;
}

export async function seedDemo(site: Site, comments: CommentService, log: Logger): Promise<void> {
  const reader = { site, userId: null, name: null, role: 'commenter' as const, guest: false, ip: '127.0.0.1' };
  const page = await comments.listComments(reader, DEMO_ARTICLE, { limit: 1 });
  if (page.total > 0) return;
  const seed = JSON.parse(readFileSync(SEED_FILE, 'utf8')) as { comments: SeedComment[] };
  const ids = new Map<string, string>();
  let posted = 0;
  for (const [i, c] of seed.comments.entries()) {
    const userId = ids.get(c.author) ?? `seed-${ids.size + 1}`;
    ids.set(c.author, userId);
    const actor = { ...reader, userId, name: c.author, ip: `127.0.0.${(i % 200) + 1}` };
    try {
      await comments.postComment(actor, { article: DEMO_ARTICLE, body: c.body, clientId: `seed-${i}` });
      posted++;
    } catch (err) {
      log.debug({ err, i }, 'demo seed comment refused');
    }
  }
  log.info({ posted, article: DEMO_ARTICLE }, 'demo article seeded with sample comments');
}
