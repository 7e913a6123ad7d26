/**
 * `factory status [--json]`: the instance's state from state.json and /proc. Spawns nothing and
 * loads no contract compiler (benchmarked against `node -e 0`, docs/performance.md).
 * Exit codes: 0 every service ready+healthy or completed, 1 running but not all healthy,
 * 3 not running (never started, stopped, failed, or its supervisor died — then orphans are listed).
 */
import { defineCommand } from 'citty';
import { colors, eprintln, printJson } from '../lib/output.js';
import { commandFor, instanceArgs, locateArgs } from './ui/args.js';
import { renderStatus, statusExitCode } from './ui/render-status.js';
import { locateInstance, readStateFile, statusFromState } from '../services/read.js';

export default defineCommand({
  meta: {
    name: 'status',
    description: 'Show the instance: per service state, pid, ports, url, health, last check, restarts, exit code, log.',
  },
  args: { ...instanceArgs },
  run({ args }) {
    const loc = locateInstance(locateArgs(args));
    const st = statusFromState(loc, readStateFile(loc.stateDir));
    if (args.json) printJson({ ...st });
    else {
      renderStatus(st);
      // A dead supervisor's line already says to run "factory stop".
      if (!st.running && st.phase !== 'supervisor-dead')
        eprintln(`${colors.cyan('hint:')} start it with ${commandFor('start', args)}`);
    }
    return statusExitCode(st);
  },
});
