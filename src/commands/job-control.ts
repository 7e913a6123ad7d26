/**
 * `factory job cancel|retry|approve|close <id> [--json]` — what a person does to a job:
 * - cancel: stops it (the agent's tree, the instance; worktree and branch kept). Waits until its
 *   worker has stopped it. Exit 0; 3 when the job has already ended.
 * - retry: a failed or cancelled job goes back to the state it stopped in; `--run` runs it here.
 * - approve: lets a job waiting in awaiting_approval continue.
 * - close: a job ready for review ends — merged when its branch is in the base, else closed; its
 *   preview stops.
 * All print schema/job-action.schema.json with --json; 2 for an unknown id, 3 when the job is not
 * in a state the action applies to.
 */
import { userInfo } from 'node:os';
import { defineCommand } from 'citty';
import {
  approveJob,
  cancelJob,
  closeJob,
  isSettled,
  retryJob,
  startWorker,
  summarize,
  type Job,
} from '../jobs/index.js';
import { colors, eprintln, printJson, println } from '../lib/output.js';
import { localPublisher } from '../publish/index.js';
import { exitFor, personRuntime, store, watch } from './ui/job-cli.js';
import { stateText } from './ui/job-render.js';

const idArg = { id: { type: 'positional', required: true, description: 'Job id (or a unique part of it)' } } as const;
const jsonArg = {
  json: { type: 'boolean', description: 'Print one JSON document (schema/job-action.schema.json)' },
} as const;

function report(
  action: 'cancel' | 'retry' | 'approve' | 'close',
  job: Job,
  json: boolean,
  extra: { immediate?: boolean } = {},
) {
  if (json) printJson({ ok: true, action, job: summarize(job), ...extra });
  else println(`${job.id} ${stateText(job.state)}`);
}

export const cancel = defineCommand({
  meta: { name: 'cancel', description: 'Stop a job: kill its agent, stop its instance, keep its worktree and branch.' },
  args: { ...idArg, ...jsonArg },
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
      report('cancel', job, args.json === true, { immediate: r.immediate });
      return 0;
    } finally {
      await s.close();
    }
  },
});

export const retry = defineCommand({
  meta: { name: 'retry', description: 'Resume a failed or cancelled job from the state it stopped in.' },
  args: {
    ...idArg,
    run: { type: 'boolean', description: 'Run it here instead of leaving it to a worker' },
    ...jsonArg,
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
        report('retry', job, args.json === true);
        return 0;
      }
      const worker = startWorker({ store: s, publisher: localPublisher(), jobId: job.id, untilIdle: true });
      let workerDone = false;
      const watching = watch(s, job.id, { quiet: args.json === true, until: (j) => workerDone || isSettled(j) });
      await worker.done;
      workerDone = true;
      await watching;
      job = (await s.get(job.id)) ?? job;
      report('retry', job, args.json === true);
      return exitFor(job);
    } finally {
      await s.close();
    }
  },
});

export const approve = defineCommand({
  meta: { name: 'approve', description: 'Approve a gated change (awaiting_approval) so the job continues.' },
  args: { ...idArg, ...jsonArg },
  async run({ args }) {
    const s = store();
    try {
      report('approve', await approveJob(s, args.id, userInfo().username), args.json === true);
      return 0;
    } finally {
      await s.close();
    }
  },
});

export const close = defineCommand({
  meta: {
    name: 'close',
    description: 'End a reviewed job (merged if its branch is in the base) and stop its preview.',
  },
  args: { ...idArg, ...jsonArg },
  async run({ args }) {
    const s = store();
    try {
      report('close', await closeJob(s, args.id, personRuntime()), args.json === true);
      return 0;
    } finally {
      await s.close();
    }
  },
});
