/** `factory job show <id> [--json]`: the job, its rounds, preview, cost and timeline (= job.json). Exit 0, 2 unknown id. */
import { defineCommand } from 'citty';
import { currentManifest, findJob } from '../jobs/index.js';
import { printJson, println } from '../lib/output.js';
import { store } from './ui/job-cli.js';
import { manifestLines } from './ui/job-render.js';

export default defineCommand({
  meta: { name: 'show', description: 'Show a job: plan, rounds, evidence, preview, cost, timeline.' },
  args: {
    id: { type: 'positional', required: true, description: 'Job id (or a unique part of it)' },
    json: { type: 'boolean', description: 'Print its evidence manifest (schema/job.schema.json)' },
  },
  async run({ args }) {
    const s = store();
    try {
      const manifest = await currentManifest(s, await findJob(s, args.id));
      if (args.json) printJson({ ...manifest });
      else for (const l of manifestLines(manifest)) println(l);
      return 0;
    } finally {
      await s.close();
    }
  },
});
