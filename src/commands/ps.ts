/**
 * `factory ps [--json]`: every instance on this machine (from the port-lease registry and a scan
 * for marked processes), flagging leaks. Exit codes: 0 no leak, 1 a leak was found.
 */
import { defineCommand } from 'citty';
import { ExitCode } from '../lib/failure.js';
import { colors, printJson, println } from '../lib/output.js';
import { listInstances } from '../services/index.js';

export default defineCommand({
  meta: { name: 'ps', description: 'List every instance on this machine and flag leaked processes or leases.' },
  args: { json: { type: 'boolean', description: 'Print one JSON document (schema/ps.schema.json)' } },
  run({ args }) {
    const list = listInstances();
    const leaky = list.some((i) => i.leaks.length > 0);
    if (args.json) printJson({ instances: list });
    else if (list.length === 0) println('no instances');
    else {
      for (const i of list) {
        const ports = i.portBase !== null ? `${i.portBase}–${i.portBase + (i.portCount ?? 1) - 1}` : '-';
        const leaks = i.leaks.length ? colors.red(` leaks: ${i.leaks.join(', ')}`) : '';
        const procs = i.processes.length ? ` pids ${i.processes.map((p) => p.pid).join(',')}` : '';
        println(
          `${(i.worktreeId ?? '?').padEnd(16)} ${i.phase.padEnd(15)} ${ports.padEnd(12)} ${i.root ?? ''}${procs}${leaks}`,
        );
      }
    }
    return leaky ? ExitCode.failed : ExitCode.ok;
  },
});
