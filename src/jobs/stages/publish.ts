/**
 * video_recorded → pr_opened (or → awaiting_approval, a gate). The publisher: first the approval
 * gate (./approval.ts); then the evidence manifest is written and handed to the job's Publisher,
 * which opens the review request — the local review page or a GitHub pull request (../publishers.ts).
 * Publishers are idempotent, so a publish interrupted by a crash is simply done again.
 */
import { MANIFEST_FILE } from '../../publish/index.js';
import { needsApproval, gatedFiles } from '../approval.js';
import type { Stage } from '../context.js';
import { evidenceDir, writeManifest } from '../evidence.js';
import { publisherFor } from '../publishers.js';

export const publishStage: Stage = {
  name: 'publish',
  role: 'publisher',
  async run(ctx) {
    const pending = needsApproval(ctx.job);
    if (pending.length > 0) {
      if (ctx.job.state === 'video_recorded') {
        await ctx.transition(
          {
            from: 'video_recorded',
            to: 'awaiting_approval',
            message: `the change touches ${pending.join(', ')}: waiting for "factory job approve ${ctx.job.id}"`,
          },
          {
            data: { ...ctx.job.data, approval: { matched: gatedFiles(ctx.job), approvedAt: null, approvedBy: null } },
            runnable: false,
          },
        );
      }
      return;
    }
    const { runtime } = ctx;
    const events = await runtime.store.events({ jobId: ctx.job.id, limit: 100_000 });
    const manifest = await writeManifest(ctx.job, events, { previewUp: ctx.job.data.environment !== undefined });
    const request = await publisherFor(runtime, ctx.job).publish({
      manifest,
      evidenceDir: evidenceDir(ctx.job.repo, ctx.job.id).dir,
      signal: ctx.signal,
    });
    const reviewRequest = {
      publisher: request.publisher,
      url: request.url,
      ...(request.path ? { path: request.path } : {}),
    };
    const from = ctx.job.state === 'awaiting_approval' ? 'awaiting_approval' : 'video_recorded';
    await ctx.transition(
      {
        from,
        to: 'pr_opened',
        message: `review request: ${request.url}`,
        artifacts: [{ label: 'evidence manifest', path: MANIFEST_FILE }],
      },
      { data: { ...ctx.job.data, reviewRequest } },
    );
  },
};
