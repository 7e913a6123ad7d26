/**
 * Approval gates: `jobs: { approval: { paths: ["db/migrations/**"] } }` in factory.yaml (or
 * --approval-path). A change touching a matching file waits in `awaiting_approval` before it is
 * published, until `factory job approve`. An approval covers the files it was given for: a later
 * round that touches another gated file asks again.
 */
import picomatch from 'picomatch';
import type { Job } from './types.js';

export function gatedFiles(job: Job): string[] {
  const globs = job.config.approvalPaths;
  if (globs.length === 0) return [];
  const match = picomatch(globs, { dot: true });
  return (job.data.diff?.files ?? []).map((f) => f.path).filter((p) => match(p));
}

/** The gated files not covered by an approval yet (empty = may publish). */
export function needsApproval(job: Job): string[] {
  const matched = gatedFiles(job);
  const approved = job.data.approval?.approvedAt ? new Set(job.data.approval.matched) : new Set<string>();
  return matched.filter((f) => !approved.has(f));
}
