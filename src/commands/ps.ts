/**
 * `factory ps [--prune] [--json]`: every instance on this machine (from the port-lease registry and
 * a scan for marked processes), sorted by repository and id, flagging real leaks. Garbage leases
 * (their instance is gone) are dropped on the way and reported; `--prune` also reaps leaked
 * processes. Exit codes: 0 no leak (left), 1 a leak is left.
 */
import { defineCommand } from 'citty';
import { ExitCode } from '../lib/failure.js';
import { colors, eprintln, printJson, println } from '../lib/output.js';
import { describeHolders, inspectInstances, type InstanceSummary } from '../services/index.js';

const range = (i: { portBase: number | null; portCount: number | null }) =>
  i.portBase !== null ? `${i.portBase}–${i.portBase + (i.portCount ?? 1) - 1}` : '-';

function row(i: InstanceSummary): string {
  const leaks = i.leaks.length ? colors.red(` leaks: ${i.leaks.join(', ')}`) : '';
  const procs = i.processes.length ? ` pids ${i.processes.map((p) => p.pid).join(',')}` : '';
  return `${(i.worktreeId ?? '?').padEnd(16)} ${i.phase.padEnd(15)} ${range(i).padEnd(12)} ${i.root ?? ''}${procs}${leaks}`;
}

export default defineCommand({
  meta: { name: 'ps', description: 'List every instance on this machine and flag leaked processes or ports.' },
  args: {
    prune: {
      type: 'boolean',
      description: 'Reap leaked processes factory started and mark instances whose supervisor died as stopped',
    },
    json: { type: 'boolean', description: 'Print one JSON document (schema/ps.schema.json)' },
  },
  async run({ args }) {
    const r = await inspectInstances({ prune: args.prune === true });
    const leaky = r.instances.filter((i) => i.leaks.length > 0);
    const reclaimed = r.reclaimed.map(({ lease, reason }) => ({
      worktreeId: lease.worktreeId,
      root: lease.root,
      base: lease.base,
      size: lease.size,
      reason,
    }));
    if (args.json) {
      printJson({ instances: r.instances, reclaimed, pruned: r.pruned });
      return leaky.length > 0 ? ExitCode.failed : ExitCode.ok;
    }
    if (r.instances.length === 0) println('no instances');
    for (const i of r.instances) {
      println(row(i));
      if (i.boundPorts.length > 0) println(`  ${colors.red('listening:')} ${describeHolders(i.boundPorts)}`);
    }
    for (const l of reclaimed)
      eprintln(
        `reclaimed the lease of "${l.worktreeId}" (${l.root}, ports ${range({ portBase: l.base, portCount: l.size })}): ${l.reason}`,
      );
    for (const p of r.pruned?.processes ?? [])
      eprintln(
        `pruned: pid ${p.pid}${p.command ? ` (${p.command})` : ''}${p.worktreeId ? ` of "${p.worktreeId}" (${p.root})` : ''}`,
      );
    for (const s of r.pruned?.stopped ?? [])
      eprintln(`pruned: "${s.worktreeId}" (${s.root}) marked stopped (its supervisor had died)`);
    if (leaky.length > 0) {
      const reapable = leaky.some((i) => i.leaks.includes('orphans') || i.leaks.includes('unknown-processes'));
      eprintln(
        `${colors.cyan('hint:')} ${
          reapable
            ? 'factory ps --prune reaps the leaked processes'
            : 'a process factory did not start listens on a leased port: stop it (factory never kills it)'
        }`,
      );
    }
    return leaky.length > 0 ? ExitCode.failed : ExitCode.ok;
  },
});
