// The phases, in the order they run. Add a phase here and in its own file.
import { BannedUserPhase } from './banned-user';
import { BannedWordsPhase } from './banned-words';
import { DuplicatePhase } from './duplicate';
import { KeywordStuffingPhase } from './keyword-stuffing';
import { LinksPhase } from './links';
import { PremodPhase } from './premod';
import { SuspectWordsPhase } from './suspect-words';
import type { Phase } from './types';

export const PHASES: readonly Phase[] = [
  BannedUserPhase,
  BannedWordsPhase,
  SuspectWordsPhase,
  LinksPhase,
  DuplicatePhase,
  KeywordStuffingPhase,
  PremodPhase,
];

export { runPipeline } from './types';
export type { Phase, PhaseResult, PipelineInput, PipelineOutcome } from './types';
