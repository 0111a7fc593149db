// The moderation pipeline: an ordered list of phases run on every new or edited comment.
// Each phase looks at the comment and answers with a decision and a reason, or passes.
import type { Actor } from '../../domain/actor';
import type { ArticleDoc, UserDoc } from '../../store/models';
import type { SanitizedBody } from '../sanitize';

export type Decision = 'reject' | 'pending';

export interface PhaseResult {
  decision: Decision;
  /** Short machine-readable reason, e.g. `links:3>1`, shown to moderators. */
  reason: string;
  /** Message for the author when the decision is a rejection. */
  message?: string;
}

export interface PipelineInput {
  actor: Actor;
  article: ArticleDoc;
  body: SanitizedBody;
  /** The author's moderation record, when they have one. */
  user: UserDoc | null;
  /** True when an existing comment is being edited. */
  edit: boolean;
  /** For duplicate checks: finds the author's recent comments with the same text. */
  recentSameText(): Promise<boolean>;
}

export interface Phase {
  name: string;
  run(input: PipelineInput): PhaseResult | null | Promise<PhaseResult | null>;
}

export interface PipelineOutcome {
  status: 'published' | 'pending' | 'rejected';
  reasons: string[];
  message?: string;
}

/** Runs the phases in order: the first rejection ends the run; holds collect their reasons. */
export async function runPipeline(phases: readonly Phase[], input: PipelineInput): Promise<PipelineOutcome> {
  const reasons: string[] = [];
  for (const phase of phases) {
    const r = await phase.run(input);
    if (!r) continue;
    if (r.decision === 'reject') return { status: 'rejected', reasons: [r.reason], message: r.message };
    reasons.push(r.reason);
  }
  return { status: reasons.length ? 'pending' : 'published', reasons };
}
