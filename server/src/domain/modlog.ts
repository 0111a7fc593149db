// The audit log: every moderation decision and every user or article action, with who, when
// and why. Newest first, by _id.
import type { ModLogEntry, ModLogPage } from '../../../client-sdk/src/protocol';
import { Types, trusted, type ModLogDoc, type ModLogSnapshot, type Models } from '../store/models';
import type { Actor } from './actor';

export interface LogInput {
  action: string;
  target: ModLogDoc['target'];
  reason?: string | null;
  /** The comment's state and body before and after, for changes of a comment. */
  before?: ModLogSnapshot | null;
  after?: ModLogSnapshot | null;
}

export class ModLog {
  constructor(private readonly models: Models) {}

  async write(actor: Actor, input: LogInput): Promise<void> {
    await this.models.ModLog.create({
      site: actor.site.id,
      moderator: { id: actor.userId ?? '', name: actor.name ?? '' },
      action: input.action,
      target: input.target,
      reason: input.reason ?? null,
      before: input.before ?? null,
      after: input.after ?? null,
      at: new Date(),
    });
  }

  /** Served by the index {site, _id: -1}. */
  async page(site: string, input: { cursor?: string; limit?: number }): Promise<ModLogPage> {
    const limit = input.limit ?? 50;
    const filter: Record<string, unknown> = { site };
    if (input.cursor) filter._id = trusted({ $lt: new Types.ObjectId(input.cursor) });
    const docs = await this.models.ModLog.find(filter).sort({ _id: -1 }).limit(limit + 1).lean<(ModLogDoc & { _id: Types.ObjectId })[]>();
    const more = docs.length > limit;
    if (more) docs.pop();
    const entries: ModLogEntry[] = docs.map((d) => ({
      id: String(d._id),
      moderator: { id: d.moderator.id, name: d.moderator.name },
      action: d.action,
      target: { ...d.target },
      reason: d.reason ?? null,
      ...(d.before ? { before: { ...d.before } } : {}),
      ...(d.after ? { after: { ...d.after } } : {}),
      at: d.at.toISOString(),
    }));
    return { entries, nextCursor: more ? entries[entries.length - 1]!.id : null };
  }
}
