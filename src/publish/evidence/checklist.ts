/**
 * The acceptance checklist: each of the plan's criteria with the evidence that shows it holds.
 * A criterion is ticked only where evidence exists (the seed's PR contract): a `browser` criterion
 * by a passing feature scenario, a `test` criterion by passing test suites, a `review` criterion by
 * the reviewer marking it met. The reviewer can also mark any criterion *not* met, which wins.
 * Every publisher renders this same list (the review page, a PR body, a chat summary).
 */
import type { AcceptanceCriterion } from './plan.js';
import type { JobManifest, Round } from './manifest.js';

type Tests = NonNullable<Round['tests']>;
type Validation = NonNullable<Round['validation']>;
type Scenario = Validation['scenarios'][number];

export interface EvidenceLink {
  label: string;
  /** Relative to the job folder; absent for evidence that is a statement (the reviewer's note). */
  path?: string;
}

export interface CriterionStatus {
  criterion: AcceptanceCriterion;
  /** true: shown to hold; false: shown not to hold; null: no evidence either way. */
  met: boolean | null;
  evidence: EvidenceLink[];
  /** Why it is not ticked, or the reviewer's note. */
  note?: string;
}

/** The last round that ran tests. */
export function latestTests(m: JobManifest): Tests | undefined {
  return m.rounds.findLast((r) => r.tests !== undefined)?.tests;
}

/** The last round that ran browser validation. */
export function latestValidation(m: JobManifest): Validation | undefined {
  return m.rounds.findLast((r) => r.validation !== undefined)?.validation;
}

/** The scenario built from the planner's browser steps, in the last validation. */
export function featureScenario(m: JobManifest): Scenario | undefined {
  return latestValidation(m)?.scenarios.find((s) => s.feature);
}

function browserEvidence(m: JobManifest): Pick<CriterionStatus, 'met' | 'evidence' | 'note'> {
  const feature = featureScenario(m);
  if (!feature) return { met: null, evidence: [], note: 'no feature scenario ran' };
  const evidence: EvidenceLink[] = [];
  if (feature.video) evidence.push({ label: 'video', path: feature.video });
  for (const s of feature.screenshots) evidence.push({ label: 'screenshot', path: s });
  const report = latestValidation(m)?.report;
  if (report) evidence.push({ label: 'validation report', path: report });
  if (feature.status === 'passed') return { met: true, evidence };
  return { met: false, evidence, note: feature.failure?.summary ?? 'the feature scenario failed' };
}

function testEvidence(m: JobManifest): Pick<CriterionStatus, 'met' | 'evidence' | 'note'> {
  const tests = latestTests(m);
  if (!tests || tests.suites.length === 0) return { met: null, evidence: [], note: 'no test suite ran' };
  const evidence: EvidenceLink[] = tests.suites.flatMap((s) => [
    ...(s.log ? [{ label: `${s.name} log`, path: s.log }] : []),
    ...s.junit.map((j) => ({ label: `${s.name} JUnit`, path: j })),
  ]);
  const failed = tests.suites.filter((s) => s.status !== 'passed' && s.status !== 'not-run');
  if (tests.ok && failed.length === 0) return { met: true, evidence };
  return { met: false, evidence, note: `failing: ${failed.map((s) => s.name).join(', ') || 'tests'}` };
}

export function acceptanceChecklist(m: JobManifest): CriterionStatus[] {
  const checks = new Map((m.review?.verdict.criteria ?? []).map((c) => [c.id, c]));
  return (m.plan?.acceptanceCriteria ?? []).map((criterion) => {
    const review = checks.get(criterion.id);
    const base =
      criterion.proof === 'browser'
        ? browserEvidence(m)
        : criterion.proof === 'test'
          ? testEvidence(m)
          : review
            ? { met: review.met, evidence: [{ label: 'reviewer' }] }
            : { met: null, evidence: [], note: 'not reviewed yet' };
    // The reviewer saying "not met" outweighs passing evidence; "met" adds its note.
    if (review && !review.met)
      return { criterion, ...base, met: false, note: review.note ?? 'the reviewer found it not met' };
    const note = base.met === false ? base.note : (review?.note ?? base.note);
    return { criterion, ...base, ...(note !== undefined ? { note } : {}) };
  });
}
