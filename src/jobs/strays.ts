/**
 * An agent a dead worker started may outlive it (with sandbox `none` nothing ties it to its
 * parent; bwrap's --die-with-parent does). Every agent a job runs carries FACTORY_JOB_ID=<id> in
 * its environment, which its children inherit, so before a job's stages run again the worker kills
 * whatever still carries the id — an orphan must not commit beside the resumed builder.
 */
import { processesWithEnv, signalIdentity } from '../services/index.js';

export function killJobStrays(jobId: string): number {
  const strays = processesWithEnv('FACTORY_JOB_ID', jobId);
  for (const p of strays) signalIdentity(p, 'SIGKILL');
  return strays.length;
}

export function jobStrays(jobId: string): number[] {
  return processesWithEnv('FACTORY_JOB_ID', jobId).map((p) => p.pid);
}
