/**
 * `factory env [--json|--shell]`: the instance's variables (contract env, env_file values,
 * `<NAME>_PORT`, built-ins). Default output is `NAME=value` lines; `--shell` prints
 * `export NAME='value'` lines safe for `eval "$(factory env --shell)"`. Never leases: for an
 * instance holding no lease the ports are the ones it would get if started now, and a note on
 * stderr (`note` in --json) says so. Exit 0, 2 bad contract.
 */
import { defineCommand } from 'citty';
import { eprintln, printJson, println } from '../lib/output.js';
import { instanceArgs, locateArgs } from './ui/args.js';
import { describeInstanceEnv, toShell } from '../services/light.js';

export default defineCommand({
  meta: { name: 'env', description: "Print the instance's environment variables (ports, URLs, built-ins)." },
  args: { ...instanceArgs, shell: { type: 'boolean', description: "Print `export NAME='value'` lines for eval" } },
  async run({ args }) {
    const r = await describeInstanceEnv(locateArgs(args));
    const { note } = r;
    if (args.json) printJson({ env: r.vars, portBase: r.portBase, leased: r.leased, note });
    else {
      if (args.shell) println(toShell(r.vars));
      else for (const [k, v] of Object.entries(r.vars)) println(`${k}=${v}`);
      if (note) eprintln(`note: ${note}`);
    }
    return 0;
  },
});
