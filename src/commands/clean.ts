/**
 * `factory clean [--json]`: stop, `docker compose down -v --remove-orphans` for compose services,
 * remove the instance dir (state, logs, data) and release the port lease.
 * Exit codes: 0 done, 1 ports still bound afterwards.
 */
import { defineCommand } from 'citty';
import { ExitCode } from '../lib/failure.js';
import { colors, printJson, println } from '../lib/output.js';
import { instanceArgs, locateArgs } from './ui/args.js';
import { cleanInstance } from '../services/light.js';

export default defineCommand({
  meta: { name: 'clean', description: 'Stop the instance, remove its data and logs, and release its ports.' },
  args: { ...instanceArgs },
  async run({ args }) {
    const r = await cleanInstance(locateArgs(args));
    if (args.json) printJson({ ok: r.busyPorts.length === 0, ...r });
    else {
      const done = [
        r.removed && `${r.stateDir} removed`,
        r.lease && `ports ${r.lease.base}–${r.lease.base + r.lease.size - 1} released`,
      ].filter(Boolean);
      println(
        done.length || r.reaped.length || r.compose.length
          ? `instance ${r.worktreeId}: cleaned${done.length ? ` (${done.join(', ')})` : ''}`
          : `instance ${r.worktreeId}: nothing to clean (no instance folder, no port lease)`,
      );
      if (r.reaped.length) println(`  reaped pids ${r.reaped.map((p) => p.pid).join(', ')}`);
      for (const c of r.compose)
        println(`  ${c.argv.join(' ')} → ${c.exitCode === null ? 'could not run' : `exit ${c.exitCode}`}`);
      if (r.busyPorts.length) println(colors.red(`  ports still bound: ${r.busyPorts.join(', ')}`));
    }
    return r.busyPorts.length ? ExitCode.failed : ExitCode.ok;
  },
});
