/**
 * `factory job cancel <id> [--json]`: stop a job — its agent's process tree, its instance (ports
 * confirmed free) — keeping its worktree and branch, and record what was cleaned. A job a worker
 * holds is stopped by that worker; this waits for it. Exit 0; 2 unknown id; 3 the job has ended.
 */
import { defineCommand } from 'citty';
import { cancelJob } from '../jobs/index.js';
import { colors, eprintln } from '../lib/output.js';
import { actionJsonArg, idArg, personRuntime, reportAction, store, watch } from './ui/job-cli.js';

export default defineCommand({
  meta: { name: 'cancel', description: 'Stop a job: kill its agent, stop its instance, keep its worktree and branch.' },
  args: { ...idArg, ...actionJsonArg },
  async run({ args }) {
    const s = store();
    try {
      const r = await cancelJob(s, args.id, personRuntime());
      let job = r.job;
      if (!r.immediate) {
        if (!args.json) eprintln(colors.dim(`asked worker ${job.lease?.workerId ?? ''} to stop ${job.id}…`));
        await watch(s, job.id, {
          quiet: args.json === true,
          until: (j) => j.state === 'cancelled' || j.state === 'failed' || !j.cancelRequested,
        });
        job = (await s.get(job.id)) ?? job;
      }
      reportAction('cancel', job, args.json === true, { immediate: r.immediate });
      return 0;
    } finally {
      await s.close();
    }
  },
});
