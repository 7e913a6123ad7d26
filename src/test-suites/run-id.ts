/** Test run ids: `test-<worktreeId>-<UTC timestamp>-<4 hex>`, sortable by time, unique per run. */
import { randomBytes } from 'node:crypto';

export function newRunId(worktreeId: string, now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z'); // 20261123T164800Z
  return `test-${worktreeId}-${stamp}-${randomBytes(2).toString('hex')}`;
}

export const RUN_ID_RE = /^test-[A-Za-z0-9][A-Za-z0-9._-]*-\d{8}T\d{6}Z-[0-9a-f]{4}$/;
