/**
 * `factory stop [--json]`: stop the instance (reverse dependency order: signal each service's
 * group, grace, SIGKILL the group, then confirm the leased ports are free). With a dead
 * supervisor it reaps every recorded child (pid + start time) and marked stray instead.
 * The port lease is kept (the same id gets its ports back); `factory clean` releases it.
 * Exit codes: 0 stopped (or nothing was running), 1 ports still bound afterwards.
 */
import { defineCommand } from 'citty';
import { ExitCode } from '../lib/failure.js';
import { colors, printJson, println } from '../lib/output.js';
import { instanceArgs, locateArgs } from './ui/args.js';
import { stopInstance } from '../services/light.js';

export default defineCommand({
  meta: { name: 'stop', description: 'Stop the instance and everything it started.' },
  args: { ...instanceArgs },
  async run({ args }) {
    const r = await stopInstance(locateArgs(args));
    if (args.json) printJson({ ok: r.busyPorts.length === 0, ...r });
    else {
      const what =
        r.was === 'running'
          ? 'stopped'
          : r.was === 'supervisor-dead'
            ? 'supervisor was dead; reaped its leftovers'
            : 'was not running';
      println(`instance ${r.worktreeId}: ${what}`);
      if (r.reaped.length) println(`  reaped pids ${r.reaped.map((p) => p.pid).join(', ')}`);
      if (r.busyPorts.length) println(colors.red(`  ports still bound: ${r.busyPorts.join(', ')}`));
    }
    return r.busyPorts.length ? ExitCode.failed : ExitCode.ok;
  },
});
