/**
 * `factory urls [--json]`: the running instance's service URLs, one `name url` per line (followed by
 * the stable URL through `factory router` when one runs: `name url stable-url`).
 * Exit codes: 0 running, 3 not running. Spawns nothing.
 */
import { defineCommand } from 'citty';
import { ExitCode } from '../lib/failure.js';
import { colors, eprintln, printJson, println } from '../lib/output.js';
import { commandFor, instanceArgs, locateArgs } from './ui/args.js';
import { locateInstance, readStateFile, statusFromState } from '../services/read.js';

export default defineCommand({
  meta: { name: 'urls', description: "Print the running instance's service URLs." },
  args: { ...instanceArgs },
  run({ args }) {
    const loc = locateInstance(locateArgs(args));
    const st = statusFromState(loc, readStateFile(loc.stateDir));
    if (args.json)
      printJson({
        worktreeId: st.worktreeId,
        running: st.running,
        urls: st.running ? st.urls : {},
        stableUrls: st.stableUrls,
        ports: st.running ? st.ports : {},
      });
    else if (st.running)
      for (const [name, url] of Object.entries(st.urls))
        println(`${name} ${url}${st.stableUrls[name] ? ` ${st.stableUrls[name]}` : ''}`);
    else {
      eprintln(`instance ${st.worktreeId} is not running`);
      eprintln(`  ${colors.cyan('hint:')} start it with ${commandFor('start', args)}`);
    }
    return st.running ? ExitCode.ok : ExitCode.unavailable;
  },
});
