/**
 * Where setup remembers what it ran: `<instance dir>/setup.json`, one record per step, written
 * atomically (temp file + rename) so a crash never leaves a half-written record that would match.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface StepRecord {
  /** Fingerprint of the step when it last succeeded. */
  fingerprint: string;
  finishedAt: string;
  durationMs: number;
}

export interface SetupState {
  version: 1;
  steps: Record<string, StepRecord>;
}

export function setupStatePath(stateDir: string): string {
  return join(stateDir, 'setup.json');
}

export async function readSetupState(stateDir: string): Promise<SetupState> {
  try {
    const parsed = JSON.parse(await readFile(setupStatePath(stateDir), 'utf8')) as Partial<SetupState>;
    if (parsed.version === 1 && parsed.steps && typeof parsed.steps === 'object')
      return { version: 1, steps: parsed.steps };
  } catch {
    // missing or unreadable: nothing has run (every step runs again, which is always safe)
  }
  return { version: 1, steps: {} };
}

export async function writeSetupState(stateDir: string, state: SetupState): Promise<void> {
  const path = setupStatePath(stateDir);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, path);
}
