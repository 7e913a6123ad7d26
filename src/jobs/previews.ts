/**
 * The preview's TTL: a job ready for review keeps its instance up as the live preview until it is
 * closed or `previewExpiresAt` passes; workers (and `job gc`) stop expired ones and record it.
 */
import { stopPreview } from './cleanup.js';
import type { Runtime } from './context.js';
import { refreshEvidence } from './pipeline.js';
import type { JobStore } from './store/types.js';

export async function stopExpiredPreviews(store: JobStore, runtime: Runtime, now = Date.now()): Promise<string[]> {
  const stopped: string[] = [];
  for (const job of await store.list({ states: ['ready_for_human_review'], limit: 1000 })) {
    const ends = job.data.previewExpiresAt;
    if (!ends || Date.parse(ends) > now || job.data.previewStoppedAt) continue;
    const r = await stopPreview(job);
    const updated = await store.update(job.id, {
      data: { ...job.data, previewStoppedAt: new Date(now).toISOString() },
    });
    await store.append(job.id, {
      type: 'control',
      action: 'preview-stopped',
      role: 'environment_keeper',
      attempt: 1,
      round: job.round,
      message: `the preview's TTL ended at ${ends}; instance stopped${r.notes.length ? ` (${r.notes.join('; ')})` : ''}`,
    });
    await refreshEvidence(runtime, updated, false).catch(() => {});
    stopped.push(job.id);
  }
  return stopped;
}
