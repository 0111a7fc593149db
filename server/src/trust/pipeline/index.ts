// The phases, in the order they run. Add a phase here and in its own file.
import { PremodPhase } from './premod';
import type { Phase } from './types';

export const PHASES: readonly Phase[] = [PremodPhase];

export { runPipeline } from './types';
export type { Phase, PhaseResult, PipelineInput, PipelineOutcome } from './types';
