/**
 * `factory job gc [--all] [--json]`: remove what finished jobs still hold — worktree, instance and
 * port lease, sandbox state, a merged job's branch — and report leaks (an instance of a finished
 * job still running, an agent process no worker runs). `--all` includes failed and cancelled jobs.
 * Exit 0; 1 when leaks were found.
 */
import { defineCommand } from 'citty';
import { gcJobs } from '../jobs/index.js';
import { colors, printJson, println } from '../lib/output.js';
import { store } from './ui/job-cli.js';

export default defineCommand({
  meta: { name: 'gc', description: "Remove finished jobs' worktrees, instances and leases; report leaks." },
  args: {
    all: { type: 'boolean', description: 'Also failed and cancelled jobs (their worktrees are kept otherwise)' },
    json: { type: 'boolean', description: 'Print one JSON document (schema/job-gc.schema.json)' },
  },
  async run({ args }) {
    const s = store();
    try {
      const r = await gcJobs(s, { all: args.all === true });
      if (args.json) printJson({ ok: r.leaks.length === 0, ...r });
      else {
        for (const c of r.collected) println(`${c.id} (${c.state}): ${c.removed.join('; ') || 'nothing to remove'}`);
        if (r.collected.length === 0) println(colors.dim('nothing to collect'));
        for (const l of r.leaks) println(colors.red(`leak: ${l.id} (${l.state}) ${l.kind}: ${l.detail}`));
      }
      return r.leaks.length ? 1 : 0;
    } finally {
      await s.close();
    }
  },
});
