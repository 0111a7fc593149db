// The moderation services, built together: they share the queue and the audit log.
import type { Models } from '../store/models';
import type { SiteRegistry } from '../trust/sites';
import { ArticleSettings } from './article-settings';
import type { CommentService } from './comments';
import type { EventLog } from './events';
import type { Fanout } from './fanout';
import { FlagService } from './flags';
import { ModLog } from './modlog';
import { ModerationService } from './moderation';
import { ModerationQueue } from './moderation-queue';
import { UserModeration } from './users';

export interface Moderation {
  decisions: ModerationService;
  flags: FlagService;
  users: UserModeration;
  articles: ArticleSettings;
}

export function buildModeration(deps: {
  models: Models;
  comments: CommentService;
  events: EventLog;
  fanout: Fanout;
  sites: SiteRegistry;
  onError: (err: unknown) => void;
}): Moderation {
  const { models, comments, events, fanout, sites, onError } = deps;
  const queue = new ModerationQueue(models, fanout, onError);
  const log = new ModLog(models);
  return {
    decisions: new ModerationService(models, comments, sites, queue, log, onError),
    flags: new FlagService(models, comments, queue),
    users: new UserModeration(models, log),
    articles: new ArticleSettings(models, comments, events, fanout, log),
  };
}
