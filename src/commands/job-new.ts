/**
 * `factory job new "<request>" [flags] [--wait] [--json]`: queue a job for a worker
 * (`factory worker`). With --wait, follow it until it reaches a person (ready for review, awaiting
 * approval) or ends. Exit codes: 0 queued / reached a person, 1 failed, 2 bad input, 3 a
 * precondition (no repository), 130 cancelled.
 */
import { defineCommand } from 'citty';
import { createJob, currentManifest } from '../jobs/index.js';
import { printJson, println, eprintln, colors } from '../lib/output.js';
import { jobArgs, requestOf, settingsOf } from './ui/job-args.js';
import { exitFor, store, watch } from './ui/job-cli.js';
import { onInterrupt } from '../lib/interrupt.js';

export default defineCommand({
  meta: { name: 'new', description: 'Queue a job: a request becomes a reviewed change with proof (a worker runs it).' },
  args: { ...jobArgs, wait: { type: 'boolean', description: 'Follow the job until it reaches a person or ends' } },
  async run({ args, rawArgs }) {
    const request = await requestOf(args);
    const s = store();
    try {
      const job = await createJob(s, request, settingsOf(args, rawArgs), process.env);
      if (!args.json) {
        println(`${colors.bold(job.id)} queued: ${job.title}`);
        eprintln(colors.dim(`  a worker runs it (factory worker); follow it with: factory job logs -f ${job.id}`));
      }
      if (!args.wait) {
        if (args.json) printJson({ ...(await currentManifest(s, job)) });
        return 0;
      }
      const stop = new AbortController();
      const off = onInterrupt(() => stop.abort());
      try {
        await watch(s, job.id, { signal: stop.signal, quiet: args.json === true });
      } finally {
        off();
      }
      const last = (await s.get(job.id)) ?? job;
      if (args.json) printJson({ ...(await currentManifest(s, last)) });
      return exitFor(last);
    } finally {
      await s.close();
    }
  },
});
