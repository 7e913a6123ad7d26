/**
 * `factory doctor [--agent a…] [--sandbox s] [-f file] [--json]`: every prerequisite this machine
 * needs for the contract here and for the agent loop — one line per check: ok / missing / broken,
 * and the exact command that fixes it (src/doctor/). Exit codes: 0 every needed check is ok,
 * 3 one is not, 2 bad flags.
 */
import { defineCommand } from 'citty';
import { AGENT_NAMES } from '../agent-loop/index.js';
import { runDoctor } from '../doctor/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { colors, printJson, println } from '../lib/output.js';
import { SANDBOX_PROVIDER_NAMES } from '../sandboxes/index.js';
import { repeated } from './agent.js';

export default defineCommand({
  meta: {
    name: 'doctor',
    description: 'Check this machine has what the contract and the agent loop need, with fixes.',
  },
  args: {
    agent: {
      type: 'string',
      description: `An agent you will run: its CLI and login are needed (repeatable; ${AGENT_NAMES.join(', ')})`,
    },
    sandbox: {
      type: 'string',
      description: `The sandbox you will use (default bwrap; ${SANDBOX_PROVIDER_NAMES.join(', ')})`,
    },
    file: { type: 'string', alias: 'f', description: 'Contract file (default: factory.yaml here or above)' },
    json: { type: 'boolean', description: 'Print one JSON document (schema/doctor.schema.json)' },
  },
  async run({ args, rawArgs }) {
    const agents = repeated(rawArgs, 'agent')
      .flatMap((a) => a.split(','))
      .map((a) => a.trim())
      .filter(Boolean);
    for (const a of agents)
      if (!(AGENT_NAMES as readonly string[]).includes(a))
        throw new FactoryFailure('usage', `unknown agent "${a}"`, {
          exitCode: ExitCode.invalid,
          hint: `agents: ${AGENT_NAMES.join(', ')}`,
        });
    if (args.sandbox !== undefined && !(SANDBOX_PROVIDER_NAMES as readonly string[]).includes(args.sandbox))
      throw new FactoryFailure('usage', `unknown sandbox "${args.sandbox}"`, {
        exitCode: ExitCode.invalid,
        hint: `sandboxes: ${SANDBOX_PROVIDER_NAMES.join(', ')}`,
      });
    const report = await runDoctor({
      ...(args.file ? { file: args.file } : {}),
      agents,
      ...(args.sandbox ? { sandbox: args.sandbox } : {}),
    });
    if (args.json) printJson({ ...report });
    else {
      const width = Math.max(...report.checks.map((c) => c.id.length));
      for (const c of report.checks) {
        const mark =
          c.status === 'ok'
            ? colors.green('ok     ')
            : c.needed
              ? colors.red(c.status.padEnd(7))
              : colors.yellow(c.status.padEnd(7));
        println(`${mark} ${c.id.padEnd(width)}  ${c.detail}${c.needed ? '' : colors.dim(`  (not needed: ${c.why})`)}`);
        if (c.fix && c.status !== 'ok') println(`        ${' '.repeat(width)}  ${colors.cyan('fix:')} ${c.fix}`);
      }
      const bad = report.checks.filter((c) => c.needed && c.status !== 'ok').length;
      println(bad ? colors.red(`${bad} needed check(s) not ok`) : colors.green('everything needed is here'));
    }
    return report.ok ? ExitCode.ok : ExitCode.unavailable;
  },
});
