/**
 * Coverage of the stage machines: every state and transition (`enumerateMachines`), a
 * recorder for the sim runtime's `onTransition` hook (`CoverageRecorder`), a mergeable JSON
 * report (`CoverageReport`, `mergeCoverage`, `formatCoverage`), the transitions no run can
 * take (`UNREACHABLE`) and the campaign that takes all the others (`coverageCampaign`).
 * See docs/design/coverage.md.
 */
export {
  CAMPAIGN_PARAMS,
  type CampaignDepth,
  type CampaignOptions,
  type CampaignResult,
  coverageCampaign,
  QUICK_FLIPS,
} from './campaign.js';
export { type Gaps, gaps } from './gaps.js';
export {
  conflictingTransitions,
  enumerateMachines,
  type MachineInfo,
  type StateInfo,
  type TransitionInfo,
} from './machines.js';
export { PROBES, type Probe } from './probes.js';
export { CoverageRecorder } from './recorder.js';
export {
  type CoverageReport,
  type Figures,
  type FormatOptions,
  formatCoverage,
  type MachineCoverage,
  mergeCoverage,
  totals,
} from './report.js';
export {
  SWITCH_GATED,
  type SwitchGated,
  UNREACHABLE,
  UNREACHABLE_IDS,
  type Unreachable,
  unreachableUnder,
} from './unreachable.js';
