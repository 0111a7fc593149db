// Moderators' settings of one article: lock it (no new comments; readers are told with
// `article:updated`, which takes a seq) and premoderate it (overrides the site's premod; also
// told with `article:updated`, so every reader's view of the article follows).
import type { ArticleView, PremodMode } from '../../../client-sdk/src/protocol';
import { articleKey, type ArticleDoc, type Models } from '../store/models';
import type { Actor } from './actor';
import type { CommentService } from './comments';
import type { EventLog } from './events';
import type { Fanout } from './fanout';
import type { ModLog } from './modlog';
import { requireModerator } from './moderation';
import { articleView } from './views';

export interface ArticleSettingsInput {
  locked?: boolean;
  /** null: back to the site's setting. */
  premod?: PremodMode | null;
}

export class ArticleSettings {
  constructor(
    private readonly models: Models,
    private readonly comments: CommentService,
    private readonly events: EventLog,
    private readonly fanout: Fanout,
    private readonly log: ModLog,
  ) {}

  async update(actor: Actor, article: string, input: ArticleSettingsInput): Promise<ArticleView> {
    requireModerator(actor);
    const site = actor.site.id;
    const before = await this.comments.ensureArticle(site, article);
    const set: Partial<ArticleDoc> = {};
    if (input.locked !== undefined) set.locked = input.locked;
    if (input.premod !== undefined) set.premod = input.premod;
    await this.models.Article.updateOne({ _id: articleKey(site, article) }, { $set: set });
    const after: ArticleDoc = { ...before, ...set };

    const lockChanged = input.locked !== undefined && input.locked !== before.locked;
    const premodChanged = input.premod !== undefined && input.premod !== before.premod;
    if (lockChanged || premodChanged) {
      const event = await this.events.append(site, article, 'article:updated', { locked: after.locked, commentCount: after.commentCount, ...(premodChanged ? { premod: after.premod } : {}) });
      this.fanout.toArticle(site, event);
    }
    if (lockChanged) await this.log.write(actor, { action: after.locked ? 'lock' : 'unlock', target: { article } });
    if (premodChanged) await this.log.write(actor, { action: `premod:${input.premod ?? 'site'}`, target: { article } });
    return articleView(site, article, after, await this.fanout.viewers(site, article));
  }
}
