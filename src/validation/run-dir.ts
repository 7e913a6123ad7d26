/**
 * Run ids and run directories. `validate-<worktreeId>-<UTC timestamp>-<4 hex>`: sortable by time,
 * readable in a file list, and created with a non-recursive mkdir so that two validations started
 * in the same millisecond (two instances, or the same one twice) can never share a directory —
 * the loser of the race picks a new suffix.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export function makeRunId(worktreeId: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.(\d{3})Z$/, '$1Z'); // 20261123T164512345Z
  const safeId = worktreeId.replace(/[^A-Za-z0-9_.-]+/g, '-');
  return `validate-${safeId}-${stamp}-${randomBytes(2).toString('hex')}`;
}

export async function createRunDir(
  artifactsDir: string,
  worktreeId: string,
): Promise<{ runId: string; runDir: string }> {
  await mkdir(artifactsDir, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    const runId = makeRunId(worktreeId);
    const runDir = join(artifactsDir, runId);
    try {
      await mkdir(runDir);
      return { runId, runDir };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 20) throw error;
    }
  }
}
