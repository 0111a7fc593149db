// A reader's data rights: what is stored about them (GET …/me/data), and its erasure
// (DELETE …/me/data). Admins may do either on a reader's behalf (…/admin/users/:userId/data).
// The only door to domain/data-rights.
import type { Models } from '../../store/models';
import type { Actor } from '../actor';
import { DomainError } from '../errors';
import { requireAdmin } from '../moderation';
import { eraseUser, type ErasureDeps, type ErasureResult } from './erasure';
import { userDataReport } from './report';

export type { ErasureResult } from './erasure';

export class DataRights {
  constructor(private readonly deps: ErasureDeps & { models: Models }) {}

  /** Everything stored about the reader (`userId` absent) or, for an admin, about `userId`. */
  report(actor: Actor, userId?: string): AsyncGenerator<string> {
    return userDataReport(this.deps.models, actor.site.id, whose(actor, userId), this.deps.notifications);
  }

  /** Erases the reader's data (or, for an admin, `userId`'s). Idempotent. */
  erase(actor: Actor, userId?: string): Promise<ErasureResult> {
    return eraseUser(this.deps, actor, whose(actor, userId));
  }
}

/** The signed-in reader themselves (guests and anonymous readers have no data to ask for), or a reader an admin acts for. */
function whose(actor: Actor, userId: string | undefined): string {
  if (userId !== undefined) {
    requireAdmin(actor);
    return userId;
  }
  if (!actor.userId || actor.guest) throw new DomainError('unauthorized', 'Sign in to see or erase your data');
  return actor.userId;
}
