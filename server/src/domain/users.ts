// Moderators' actions on authors: ban (optionally until a date), unban, premoderate, trust.
// A banned author's posts are refused (CommentService.postComment); premod holds them; trusted
// authors skip the premoderation phase.
import type { UserAction, UserModerationState } from '../../../client-sdk/src/protocol';
import { userKey, type Models, type UserDoc } from '../store/models';
import type { Actor } from './actor';
import { badRequest } from './errors';
import type { ModLog } from './modlog';
import { requireModerator } from './moderation';

const STATE_OF: Record<UserAction, UserDoc['state']> = { ban: 'banned', unban: 'active', premod: 'premod', trust: 'trusted' };

export interface UserActionInput {
  action: UserAction;
  reason?: string;
  until?: string;
}

export class UserModeration {
  constructor(
    private readonly models: Models,
    private readonly log: ModLog,
  ) {}

  async act(actor: Actor, userId: string, input: UserActionInput): Promise<UserModerationState> {
    requireModerator(actor);
    if (userId === actor.userId && input.action === 'ban') throw badRequest('You cannot ban yourself');
    const site = actor.site.id;
    const bannedUntil = input.action === 'ban' && input.until ? new Date(input.until) : null;
    await this.models.User.updateOne(
      { _id: userKey(site, userId) },
      { $set: { state: STATE_OF[input.action], bannedUntil, reason: input.reason ?? null }, $setOnInsert: { site, userId, createdAt: new Date() } },
      { upsert: true },
    );
    await this.log.write(actor, {
      action: input.action,
      target: { user: userId },
      reason: [input.reason, bannedUntil ? `until ${bannedUntil.toISOString()}` : null].filter(Boolean).join('; ') || null,
    });
    return this.state(site, userId);
  }

  async state(site: string, userId: string): Promise<UserModerationState> {
    const u = await this.models.User.findOne({ _id: userKey(site, userId) }).lean<UserDoc>();
    return {
      userId,
      name: u?.name ?? '',
      state: u?.state ?? 'active',
      bannedUntil: u?.bannedUntil ? u.bannedUntil.toISOString() : null,
      reason: u?.reason ?? null,
      comments: u?.comments ?? 0,
      rejected: u?.rejected ?? 0,
      spam: u?.spam ?? 0,
    };
  }
}
