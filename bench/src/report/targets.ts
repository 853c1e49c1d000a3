import type { BenchResults } from '../results';
import type { TargetCheck } from './target-check';
import { checkIssue8Targets } from './targets-issue8';
import { checkIssue13Targets } from './targets-issue13';
import { checkIssue16Targets } from './targets-issue16';

/** The targets of one issue, checked against a run. */
export interface TargetSection {
  /** The section's heading in RESULTS.md. */
  readonly title: string;
  readonly checks: readonly TargetCheck[];
}

/** Every issue's targets that a number can settle, newest first, each marked met or not met from this run's figures. */
export function checkTargets(results: BenchResults): TargetSection[] {
  return [
    { title: 'Targets of issue 16 (SQLite and PostgreSQL)', checks: checkIssue16Targets(results) },
    { title: "Targets of issue 13 (the outbox's cost on a save)", checks: checkIssue13Targets(results) },
    { title: 'Targets of issue 8 (SQLite, where they were set)', checks: checkIssue8Targets(results) },
  ];
}
