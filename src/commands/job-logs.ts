/**
 * `factory job logs <id> [-f] [--json]`: the job's events (transitions, progress, attempts, controls).
 * `-f` keeps following until the job reaches a person or ends (a subscriber: events after the last
 * id seen); with --json, -f prints one event per line (schema/job-event.schema.json). Exit 0.
 */
import { defineCommand } from 'citty';
import { eventJson, findJob, followEvents, isSettled, summarize } from '../jobs/index.js';
import { onInterrupt } from '../lib/interrupt.js';
import { printJson, println } from '../lib/output.js';
import { store } from './ui/job-cli.js';
import { eventLine } from './ui/job-render.js';

export default defineCommand({
  meta: { name: 'logs', description: "A job's events; -f follows them." },
  args: {
    id: { type: 'positional', required: true, description: 'Job id (or a unique part of it)' },
    follow: { type: 'boolean', alias: 'f', description: 'Keep following until the job reaches a person or ends' },
    json: { type: 'boolean', description: 'JSON (schema/job-logs.schema.json; with -f one schema/job-event per line)' },
  },
  async run({ args }) {
    const s = store();
    try {
      const job = await findJob(s, args.id);
      if (!args.follow) {
        const events = await s.events({ jobId: job.id, limit: 100_000 });
        if (args.json) printJson({ job: summarize(job), events: events.map(eventJson) });
        else for (const e of events) println(eventLine(e));
        return 0;
      }
      const stop = new AbortController();
      const off = onInterrupt(() => stop.abort());
      try {
        for await (const e of followEvents(s, { jobId: job.id, until: isSettled, signal: stop.signal })) {
          println(args.json ? JSON.stringify(eventJson(e)) : eventLine(e));
        }
      } finally {
        off();
      }
      return 0;
    } finally {
      await s.close();
    }
  },
});
