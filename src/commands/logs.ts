/**
 * `factory logs [svc] [-f|--follow] [-n N] [--file F] [--json]`: the instance's service logs (one timestamped file per
 * service under .factory/instances/<id>/logs/; `supervisor` shows the supervisor's own log).
 * Without a service, all are merged by time with a `name |` prefix. `-f` follows until Ctrl-C.
 * Exit codes: 0, 2 unknown service, 3 never started (no logs). A stopped instance's logs are
 * shown, with a hint on stderr that it is not running.
 */
import { defineCommand } from 'citty';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { onInterrupt } from '../lib/interrupt.js';
import { existsSync } from 'node:fs';
import { colors, eprintln, printJson, println } from '../lib/output.js';
import { commandFor, instanceArgs, locateArgs } from './ui/args.js';
import {
  followLogs,
  instanceFiles,
  locateInstance,
  logServices,
  readStateFile,
  statusFromState,
  tailLogs,
  type LogLine,
} from '../services/read.js';

export default defineCommand({
  meta: { name: 'logs', description: "Show (or follow) the instance's service logs." },
  args: {
    ...instanceArgs,
    // -f is --follow here, as in tail -f, docker compose logs -f and kubectl logs -f; the contract
    // file is --file only (every other command has -f/--file).
    file: { type: 'string', description: 'Contract file (default: factory.yaml here or above; no -f here)' },
    service: { type: 'positional', required: false, description: 'One service (default: all, merged by time)' },
    follow: { type: 'boolean', alias: 'f', description: 'Keep printing new lines until Ctrl-C (as tail -f)' },
    lines: { type: 'string', alias: 'n', description: 'How many past lines (default 100)' },
  },
  async run({ args }) {
    // A whole number in range: src/commands/ui/options.ts checked it before this runs.
    const n = args.lines === undefined ? 100 : Number(args.lines);
    const service = args.service ? String(args.service) : undefined;
    if (service !== undefined && /[/\\]|\.ya?ml$/.test(service))
      throw new FactoryFailure('usage', `logs takes a service name, got the path "${service}"`, {
        exitCode: ExitCode.invalid,
        hint: /\.ya?ml$/.test(service)
          ? `-f means --follow on logs (as in tail -f); pick the contract with --file ${service}`
          : 'give the name of a service (factory status lists them)',
      });
    const loc = locateInstance(locateArgs(args));
    const state = readStateFile(loc.stateDir);
    const start = commandFor('start', args);
    if (!state && logServices(loc.stateDir).length === 0 && !existsSync(instanceFiles(loc.stateDir).supervisorLog))
      throw new FactoryFailure('not-started', `instance ${loc.worktreeId} has no logs: it was never started`, {
        exitCode: ExitCode.unavailable,
        hint: `start it with ${start}`,
      });
    const past = tailLogs(loc.stateDir, service, n);
    if (args.json && !args.follow) {
      printJson({ worktreeId: loc.worktreeId, lines: past });
      return ExitCode.ok;
    }
    const width = Math.max(0, ...past.map((l) => l.service.length));
    const show = (l: LogLine) => {
      if (args.json) process.stdout.write(`${JSON.stringify(l)}\n`);
      else
        println(
          `${service ? '' : colors.cyan(`${l.service.padEnd(width)} | `)}${colors.dim(l.at)} ${l.stream === 'err' ? colors.red(l.line) : l.line}`,
        );
    };
    past.forEach(show);
    const st = statusFromState(loc, state);
    if (!st.running && !args.json)
      eprintln(
        `${colors.cyan('hint:')} instance ${loc.worktreeId} is not running (${st.phase})${args.follow ? ', so nothing new appears until it is started' : ''}; start it with ${start}`,
      );
    if (args.follow) {
      const abort = new AbortController();
      const off = onInterrupt(() => abort.abort());
      try {
        await followLogs(loc.stateDir, service, show, abort.signal);
      } finally {
        off();
      }
    }
    return ExitCode.ok;
  },
});
