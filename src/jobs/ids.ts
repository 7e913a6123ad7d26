/**
 * Job ids: `job-<yymmdd>-<6 hex>` — short enough to type, sortable by day, valid as a worktree id
 * (the job's instance), a directory name (its worktree and evidence) and a branch name
 * (`factory/<id>`). Commands accept a unique prefix or suffix of one (`factory job show 3fa9c1`).
 */
import { randomBytes } from 'node:crypto';

export function newJobId(now = new Date()): string {
  const d = now.toISOString().slice(2, 10).replaceAll('-', '');
  return `job-${d}-${randomBytes(3).toString('hex')}`;
}

/** The request's first non-empty line, at most 100 characters. */
export function titleOf(request: string): string {
  const line = request.split('\n').find((l) => l.trim() !== '') ?? '';
  const t = line.trim().replace(/\s+/g, ' ');
  return t.length > 100 ? `${t.slice(0, 99)}…` : t;
}

export function branchOf(jobId: string): string {
  return `factory/${jobId}`;
}
