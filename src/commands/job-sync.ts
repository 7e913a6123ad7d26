/**
 * `factory job sync [ID] [--repo PATH] [--json]`: read what became of the pull requests of jobs
 * ready for review (all of them, or one): merged → the job is merged, its preview stopped and its
 * worktree removed; closed → the job is closed, its preview stopped. Workers do the same every few
 * minutes. Exit 0; 3 when GitHub cannot be asked (no token, unreachable).
 */
import { resolve } from 'node:path';
import { defineCommand } from 'citty';
import { syncJobs } from '../jobs/index.js';
import { colors, printJson, println } from '../lib/output.js';
import { personRuntime, store } from './ui/job-cli.js';

export default defineCommand({
  meta: { name: 'sync', description: 'Read the pull requests of jobs ready for review: merged or closed ends them.' },
  args: {
    id: { type: 'positional', required: false, description: 'One job (id or a unique part of it); default all' },
    repo: { type: 'string', description: 'Only jobs of this repository' },
    json: { type: 'boolean', description: 'Print one JSON document (schema/job-sync.schema.json)' },
  },
  async run({ args }) {
    const s = store();
    try {
      const jobs = await syncJobs(s, personRuntime(), {
        ...(typeof args.id === 'string' && args.id ? { jobId: args.id } : {}),
        ...(args.repo ? { repo: resolve(args.repo) } : {}),
      });
      if (args.json) printJson({ ok: true, jobs });
      else {
        for (const j of jobs)
          println(`${j.id} ${j.before === j.after ? j.after : `${j.before} → ${j.after}`}: ${j.detail}`);
        if (jobs.length === 0) println(colors.dim('no job is ready for review'));
      }
      return 0;
    } finally {
      await s.close();
    }
  },
});
