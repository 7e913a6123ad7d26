/**
 * `factory restart <service> [--json]`: stop one service of the running instance in stages and run
 * it again (its dependencies keep running), returning once it is ready, completed or failed.
 * Exit codes: 0 ready/completed again, 1 it failed to come back (its error and log are in the
 * status), 2 no such service, 3 the instance is not running.
 */
import { defineCommand } from 'citty';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { colors, eprintln, printJson, println } from '../lib/output.js';
import { restartService } from '../services/light.js';
import { instanceArgs, locateArgs, seconds } from './ui/args.js';

export default defineCommand({
  meta: { name: 'restart', description: 'Restart one service of the running instance and wait until it is ready.' },
  args: {
    ...instanceArgs,
    service: { type: 'positional', required: false, description: 'The service to restart' },
  },
  async run({ args }) {
    if (!args.service)
      throw new FactoryFailure('usage', 'name the service to restart', {
        exitCode: ExitCode.invalid,
        hint: 'factory restart <service> (see "factory status" for the services)',
      });
    const t0 = Date.now();
    const r = await restartService({
      ...locateArgs(args),
      service: String(args.service),
      ...(args.json
        ? {}
        : {
            onEvent: (e) =>
              e.type === 'service' && eprintln(colors.dim(`${e.service} ${e.state}${e.detail ? `: ${e.detail}` : ''}`)),
          }),
    });
    if (args.json) printJson({ ok: r.ok, restarted: r.service, ...r.instance });
    else if (r.ok) println(`${colors.green('restarted')} ${r.service.name} in ${seconds(Date.now() - t0)}`);
    else println(colors.red(`${r.service.name} did not come back: ${r.service.error ?? r.service.state}`));
    return r.ok ? ExitCode.ok : ExitCode.failed;
  },
});
