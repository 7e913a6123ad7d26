/**
 * `factory job retry <id> [--run] [--json]`: a failed or cancelled job goes back to the state it
 * stopped in, for a worker — or, with --run, runs here (exit codes then as `job run`: 0, 1, 130).
 * Exit 0; 2 unknown id; 3 the job is neither failed nor cancelled.
 */
import { defineCommand } from 'citty';
import { isSettled, retryJob, startWorker } from '../jobs/index.js';
import { colors, eprintln } from '../lib/output.js';
import { localPublisher } from '../publish/index.js';
import { actionJsonArg, exitFor, idArg, personRuntime, reportAction, store, watch } from './ui/job-cli.js';

export default defineCommand({
  meta: { name: 'retry', description: 'Resume a failed or cancelled job from the state it stopped in.' },
  args: {
    ...idArg,
    run: { type: 'boolean', description: 'Run it here instead of leaving it to a worker' },
    ...actionJsonArg,
  },
  async run({ args }) {
    const s = store();
    try {
      let job = await retryJob(s, args.id, personRuntime());
      if (!args.run) {
        if (!args.json)
          eprintln(
            colors.dim(`  a worker resumes it at ${job.state} (factory worker), or: factory job retry ${job.id} --run`),
          );
        reportAction('retry', job, args.json === true);
        return 0;
      }
      const worker = startWorker({ store: s, publisher: localPublisher(), jobId: job.id, untilIdle: true });
      let workerDone = false;
      const watching = watch(s, job.id, { quiet: args.json === true, until: (j) => workerDone || isSettled(j) });
      await worker.done;
      workerDone = true;
      await watching;
      job = (await s.get(job.id)) ?? job;
      reportAction('retry', job, args.json === true);
      return exitFor(job);
    } finally {
      await s.close();
    }
  },
});
