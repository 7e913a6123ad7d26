/**
 * `factory job run "<request>" [flags] [--json]`: the one-command way — create the job and run it
 * in this process (no worker needed), printing its timeline, until it is ready for review, waits
 * for approval, or ends. Ctrl-C cancels it (the agent's tree and the instance are stopped, the
 * worktree and branch kept; `factory job retry` resumes it). Exit codes: 0 ready for review /
 * awaiting approval, 1 failed, 2 bad input, 3 a precondition, 130 cancelled.
 */
import { defineCommand } from 'citty';
import { createJob, currentManifest, isSettled, startWorker } from '../jobs/index.js';
import { onInterrupt } from '../lib/interrupt.js';
import { colors, eprintln, printJson, println } from '../lib/output.js';
import { localPublisher } from '../publish/index.js';
import { jobArgs, requestOf, settingsOf } from './ui/job-args.js';
import { exitFor, store, watch } from './ui/job-cli.js';

export default defineCommand({
  meta: { name: 'run', description: 'Create a job and run it here, from request to review page.' },
  args: { ...jobArgs },
  async run({ args, rawArgs }) {
    const request = await requestOf(args);
    const s = store();
    try {
      const job = await createJob(s, request, settingsOf(args, rawArgs), process.env);
      if (!args.json) println(`${colors.bold(job.id)}: ${job.title}`);
      let workerDone = false;
      const off = onInterrupt(() => {
        eprintln(colors.yellow('cancelling…'));
        void s.cancel(job.id, 'cancelled from the terminal (Ctrl-C)').catch(() => {});
      });
      try {
        const worker = startWorker({
          store: s,
          publisher: localPublisher(),
          jobId: job.id,
          untilIdle: true,
          env: process.env,
        });
        // Until the job settles, or the worker stopped without settling it (then drain what is left).
        const watching = watch(s, job.id, { quiet: args.json === true, until: (j) => workerDone || isSettled(j) });
        await worker.done;
        workerDone = true;
        await watching;
      } finally {
        off();
      }
      const last = (await s.get(job.id)) ?? job;
      const manifest = await currentManifest(s, last);
      if (args.json) printJson({ ...manifest });
      else if (manifest.reviewRequest) println(`review: ${manifest.reviewRequest.url}`);
      return exitFor(last);
    } finally {
      await s.close();
    }
  },
});
