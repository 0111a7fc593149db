// What the domain reports about its own work, for whoever measures it (server/src/metrics.ts).
// The domain calls these; it never knows what is listening.

/** How a post ended: the comment's status, `duplicate` (same clientId again), or an error code. */
export type PostOutcome = string;

export interface DomainObserver {
  /** A post finished, successfully or not, after `ms` milliseconds. */
  posted?(ms: number, outcome: PostOutcome): void;
  /** The moderation pipeline decided on a new (`edit` false) or edited comment. */
  decided?(status: 'published' | 'pending' | 'rejected', reasons: readonly string[], edit: boolean): void;
}
