/**
 * `factory job close <id> [--json]`: a job ready for review ends — `merged` when its branch is in
 * the base, else `closed` — and its preview stops. Exit 0; 2 unknown id; 3 the job is not ready for
 * review (a running one is stopped with `job cancel`).
 */
import { defineCommand } from 'citty';
import { closeJob } from '../jobs/index.js';
import { actionJsonArg, idArg, personRuntime, reportAction, store } from './ui/job-cli.js';

export default defineCommand({
  meta: {
    name: 'close',
    description: 'End a reviewed job (merged if its branch is in the base) and stop its preview.',
  },
  args: { ...idArg, ...actionJsonArg },
  async run({ args }) {
    const s = store();
    try {
      reportAction('close', await closeJob(s, args.id, personRuntime()), args.json === true);
      return 0;
    } finally {
      await s.close();
    }
  },
});
