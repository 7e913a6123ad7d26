/**
 * `factory logs [svc] [-f] [-n N] [--json]`: the instance's service logs (one timestamped file per
 * service under .factory/instances/<id>/logs/; `supervisor` shows the supervisor's own log).
 * Without a service, all are merged by time with a `name |` prefix. `-f` follows until Ctrl-C.
 * Exit codes: 0, 2 unknown service.
 */
import { defineCommand } from 'citty';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { onInterrupt } from '../lib/interrupt.js';
import { colors, printJson, println } from '../lib/output.js';
import { instanceArgs, locateArgs } from './ui/args.js';
import { followLogs, tailLogs, type LogLine, locateInstance } from '../services/read.js';

export default defineCommand({
  meta: { name: 'logs', description: "Show (or follow) the instance's service logs." },
  args: {
    ...instanceArgs,
    service: { type: 'positional', required: false, description: 'One service (default: all, merged by time)' },
    follow: { type: 'boolean', alias: 'f', description: 'Keep printing new lines until Ctrl-C' },
    lines: { type: 'string', alias: 'n', description: 'How many past lines (default 100)' },
  },
  async run({ args }) {
    const n = args.lines === undefined ? 100 : Number(args.lines);
    if (!Number.isInteger(n) || n < 0)
      throw new FactoryFailure('usage', `-n expects a whole number, got "${args.lines}"`, {
        exitCode: ExitCode.invalid,
      });
    const loc = locateInstance(locateArgs(args));
    const service = args.service ? String(args.service) : undefined;
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
