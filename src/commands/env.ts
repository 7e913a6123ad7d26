/**
 * `factory env [--json|--shell]`: the instance's variables (contract env, env_file values,
 * `<NAME>_PORT`, built-ins). Default output is `NAME=value` lines; `--shell` prints
 * `export NAME='value'` lines safe for `eval "$(factory env --shell)"`. Exit 0, 2 bad contract.
 */
import { defineCommand } from 'citty';
import { printJson, println } from '../lib/output.js';
import { instanceArgs, locateArgs } from './ui/args.js';
import { getInstanceEnv, toShell } from '../services/index.js';

export default defineCommand({
  meta: { name: 'env', description: "Print the instance's environment variables (ports, URLs, built-ins)." },
  args: { ...instanceArgs, shell: { type: 'boolean', description: "Print `export NAME='value'` lines for eval" } },
  async run({ args }) {
    const vars = await getInstanceEnv(locateArgs(args));
    if (args.json) printJson({ env: vars });
    else if (args.shell) println(toShell(vars));
    else for (const [k, v] of Object.entries(vars)) println(`${k}=${v}`);
    return 0;
  },
});
