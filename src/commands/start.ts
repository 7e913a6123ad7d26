/**
 * `factory start [svc…] [--only svc,…] [--port-range BASE] [--move-ports] [--timeout S] [--foreground]`
 * Exit codes: 0 ready (or attached to a running instance), 1 a service failed / timed out (named,
 * with its check, exit code and log tail; nothing left running), 2 bad contract or flag, 3 ports
 * unavailable, 130 interrupted (what it started is stopped).
 */
import { defineCommand } from 'citty';
import { ExitCode, type FactoryFailure } from '../lib/failure.js';
import { onInterrupt } from '../lib/interrupt.js';
import { colors, eprintln, printJson, println } from '../lib/output.js';
import { instanceArgs, seconds } from './ui/args.js';
import { progressRenderer } from './ui/progress.js';
import { renderStatus } from './ui/render-status.js';
import type { StartEvent, StartOptions } from '../services/index.js';
import { startInstance } from '../services/light.js';
import { prefixer } from './ui/prefix.js';

export default defineCommand({
  meta: {
    name: 'start',
    description:
      'Start this worktree instance (every service, or the named ones and their dependencies) and wait until ready.',
  },
  args: {
    ...instanceArgs,
    services: {
      type: 'positional',
      required: false,
      description: 'Services to start, with their dependencies (default: all)',
    },
    only: {
      type: 'string',
      description: 'Comma-separated services to start (with their dependencies); also accepted as positional names',
    },
    'port-range': {
      type: 'string',
      description:
        "First port of the block to lease; the block must end at or below 65535 (default: a free block of the port pool, outside the kernel's ephemeral range)",
    },
    'move-ports': {
      type: 'boolean',
      description: 'If a foreign process holds a leased port, move to another block (reported)',
    },
    timeout: { type: 'string', description: 'Give up (and stop everything) if not ready after this many seconds' },
    foreground: { type: 'boolean', description: 'Run attached, with prefixed output, until Ctrl-C' },
  },
  async run({ args }) {
    const only = [...(args.only ?? '').split(/[,\s]+/), ...args._.map(String)].filter(Boolean);
    // Well-formed and in range: src/commands/ui/options.ts checked every value before this runs.
    const portRange = args['port-range'] === undefined ? undefined : Number(args['port-range']);
    const timeout = args.timeout === undefined ? undefined : Number(args.timeout);
    const abort = new AbortController();
    const progress = args.json || args.foreground ? undefined : await progressRenderer();
    const opts: StartOptions = {
      ...(args['worktree-id'] !== undefined ? { worktreeId: args['worktree-id'] } : {}),
      ...(args.file !== undefined ? { file: args.file } : {}),
      ...(only.length ? { only } : {}),
      ...(portRange !== undefined ? { portRange } : {}),
      ...(args['move-ports'] ? { movePorts: true } : {}),
      ...(timeout !== undefined ? { timeoutMs: Math.round(timeout * 1000) } : {}),
      signal: abort.signal,
      onEvent: (e: StartEvent) => progress?.onEvent(e),
    };
    const offInterrupt = onInterrupt(() => abort.abort());
    if (args.foreground) {
      try {
        // The supervisor's own modules run in this process: loaded for --foreground only.
        const { runForeground } = await import('../services/index.js');
        const r = await runForeground({ ...opts, onEvent: prefixer() });
        if (r.interrupted) return r.ready ? ExitCode.ok : ExitCode.interrupted;
        return r.ready ? ExitCode.ok : ExitCode.failed;
      } finally {
        offInterrupt();
      }
    }
    const t0 = Date.now();
    let attached = false;
    const warnings: string[] = [];
    const inner = opts.onEvent;
    opts.onEvent = (e) => {
      if (e.type === 'attached') attached = true;
      if (e.type === 'lease') {
        warnings.push(...e.warnings);
        // --json prints nothing on stderr otherwise; the warning must still reach a human watching.
        if (args.json) for (const w of e.warnings) eprintln(`warning: ${w}`);
      }
      inner?.(e);
    };
    try {
      const st = await startInstance(opts);
      progress?.done();
      if (args.json) {
        printJson({ ok: true, attached, warnings, ...st });
      } else {
        println(
          `${colors.green('ready')} ${st.worktreeId}${attached ? ' (already running)' : ''} in ${seconds(Date.now() - t0)}`,
        );
        for (const [name, url] of Object.entries(st.urls)) println(`  ${name.padEnd(10)} ${colors.cyan(url)}`);
        if (Object.keys(st.urls).length === 0) renderStatus(st);
      }
      return ExitCode.ok;
    } catch (error) {
      progress?.done();
      if (error instanceof Error && 'code' in error && (error as FactoryFailure).code === 'interrupted' && !args.json)
        eprintln(colors.yellow('interrupted: stopped'));
      throw error;
    } finally {
      offInterrupt();
    }
  },
});
