/** The publish layer: the evidence vocabulary and manifest, and the publishers that render it. */
export * from './evidence/states.js';
export * from './evidence/plan.js';
export * from './evidence/verdict.js';
export * from './evidence/manifest.js';
export type { Publisher, PublishInput, ReviewRequest, ReviewState } from './types.js';
export * from './evidence/checklist.js';
export { createRedactor, secretValuesOf, REDACTED, type Redactor, type RedactorOptions } from './redact.js';
export { localPublisher, type LocalPublisherOptions } from './local/index.js';
export { renderReviewPage, type ReviewPageInput } from './local/page.js';
export {
  checklistSection,
  chip,
  failureSection,
  filesSection,
  mediaSection,
  previewSection,
  requestSection,
  stateTone,
  testsSection,
  timelineSection,
  verdictSection,
  type Tone,
} from './local/sections.js';
export { renderPatch } from './local/diff.js';
export { REVIEW_CSS } from './local/style.js';
export {
  githubPublisher,
  BASE_LABELS,
  DEFAULT_REMOTE,
  type GitHubPublisherOptions,
} from './github/index.js';
export { renderPullBody, pullTitle, jobMarker, BODY_SECTIONS } from './github/body.js';
export { EVIDENCE_BRANCH } from './github/evidence-branch.js';
