/** `factory job list [--repo PATH] [--state S] [--json]`: the machine's jobs, newest first. Exit 0. */
import { defineCommand } from 'citty';
import { JOB_STATES, summarize, type Job } from '../jobs/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { colors, printJson, println } from '../lib/output.js';
import { store } from './ui/job-cli.js';
import { stateText } from './ui/job-render.js';
import { resolve } from 'node:path';

export default defineCommand({
  meta: { name: 'list', description: "List this machine's jobs, newest first." },
  args: {
    repo: { type: 'string', description: 'Only jobs of this repository (its root path)' },
    state: { type: 'string', description: 'Only jobs in this state' },
    limit: { type: 'string', description: 'At most this many (default 50)' },
    json: { type: 'boolean', description: 'Print one JSON document (schema/job-list.schema.json)' },
  },
  async run({ args }) {
    if (args.state && !(JOB_STATES as readonly string[]).includes(args.state)) {
      throw new FactoryFailure('usage', `unknown state "${args.state}"`, {
        exitCode: ExitCode.invalid,
        hint: `one of: ${JOB_STATES.join(', ')}`,
      });
    }
    const limit = args.limit ? Number(args.limit) : 50;
    if (!Number.isInteger(limit) || limit < 1)
      throw new FactoryFailure('usage', '--limit must be a positive integer', { exitCode: ExitCode.invalid });
    const s = store();
    try {
      const jobs = await s.list({
        ...(args.repo ? { repo: resolve(args.repo) } : {}),
        ...(args.state ? { states: [args.state as Job['state']] } : {}),
        limit,
      });
      if (args.json) printJson({ jobs: jobs.map(summarize) });
      else if (jobs.length === 0) println(colors.dim('no jobs'));
      else
        for (const j of jobs)
          println(`${j.id}  ${stateText(j.state).padEnd(38)} ${j.title}${colors.dim(`  ${j.repo}`)}`);
      return 0;
    } finally {
      await s.close();
    }
  },
});
