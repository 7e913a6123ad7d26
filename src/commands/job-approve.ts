/**
 * `factory job approve <id> [--json]`: approve a gated change (awaiting_approval), recording who and
 * when; a worker then publishes it. Exit 0; 2 unknown id; 3 the job is not awaiting approval.
 */
import { userInfo } from 'node:os';
import { defineCommand } from 'citty';
import { approveJob } from '../jobs/index.js';
import { actionJsonArg, idArg, reportAction, store } from './ui/job-cli.js';

export default defineCommand({
  meta: { name: 'approve', description: 'Approve a gated change (awaiting_approval) so the job continues.' },
  args: { ...idArg, ...actionJsonArg },
  async run({ args }) {
    const s = store();
    try {
      reportAction('approve', await approveJob(s, args.id, userInfo().username), args.json === true);
      return 0;
    } finally {
      await s.close();
    }
  },
});
