/**
 * The one place that exits. Commands return an exit code or throw a `FactoryFailure`; everything
 * else that escapes is a bug in factory and is reported as one.
 */
import { readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { renderUsage, runCommand, type CommandDef } from 'citty';
import { commands } from './commands/index.js';
import { ExitCode, FactoryFailure, isFactoryFailure } from './lib/failure.js';
import { checkArgv } from './commands/index.js';
import { interruptForClosedOutput } from './lib/interrupt.js';
// Read on demand: `status` is benchmarked against `node -e 0`, so the hot path reads no extra file.
import { packageVersion as version } from './lib/package-root.js';
import { eprintln, formatDiagnostic, printJson, colors, watchClosedOutput } from './lib/output.js';

/** "did you mean" loads the edit-distance library only when the user made a mistake. */
async function suggestion(word: string, candidates: string[]): Promise<string | undefined> {
  return (await import('./lib/suggest.js')).suggest(word, candidates);
}

const ISSUES_URL = 'https://github.com/software-factory/factory/issues';

const root: CommandDef = {
  meta: () => ({
    name: 'factory',
    version: version(),
    description: 'Make any repository runnable and testable by machines.',
  }),
  subCommands: commands,
};

/** Walk argv through nested subCommands (`agent run …`), returning the leaf and its own argv. */
async function resolve(
  argv: string[],
): Promise<{ cmd: CommandDef; parent?: CommandDef; path: string[]; rest: string[] }> {
  let cmd: CommandDef = root;
  let parent: CommandDef | undefined;
  let rest = argv;
  const path: string[] = [];
  for (;;) {
    const subs = typeof cmd.subCommands === 'function' ? await cmd.subCommands() : await cmd.subCommands;
    const first = rest[0];
    if (!subs || first === undefined || first.startsWith('-')) return { cmd, parent, path, rest };
    const next = subs[first];
    if (!next) {
      const names = Object.keys(subs);
      const best = await suggestion(first, names);
      throw new FactoryFailure('unknown-command', `unknown command "${first}"`, {
        exitCode: ExitCode.invalid,
        hint: best ? `did you mean "${best}"?` : `run "factory --help" to list commands`,
      });
    }
    parent = cmd;
    cmd = typeof next === 'function' ? await next() : await next;
    path.push(first);
    rest = rest.slice(1);
  }
}

export async function runCli(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
      process.stdout.write(`${version()}\n`);
      return ExitCode.ok;
    }
    const { cmd, parent, path, rest } = await resolve(argv);
    if (rest.includes('--help') || rest.includes('-h') || (cmd === root && rest.length === 0)) {
      // citty colours its usage unconditionally; keep colour for terminals only (and honour NO_COLOR).
      const usage = await renderUsage(cmd, parent);
      process.stdout.write(
        `${colors.isColorSupported && process.stdout.isTTY ? usage : stripVTControlCharacters(usage)}\n`,
      );
      return cmd === root && rest.length === 0 && !argv.includes('--help') && !argv.includes('-h')
        ? ExitCode.invalid
        : ExitCode.ok;
    }
    const defs = (typeof cmd.args === 'function' ? await cmd.args() : await cmd.args) ?? {};
    await checkArgv(path.join(' '), defs, rest, suggestion);
    const { result } = await runCommand(cmd, { rawArgs: rest });
    return typeof result === 'number' ? result : ExitCode.ok;
  } catch (error) {
    return report(error, json);
  }
}

function report(error: unknown, json: boolean): number {
  if (isFactoryFailure(error)) {
    if (json) {
      printJson({
        ok: false,
        error: { code: error.code, message: error.message, hint: error.hint ?? null, ...(error.details ?? {}) },
        diagnostics: error.diagnostics,
      });
    } else {
      const sources = new Map<string, string | undefined>();
      const read = (f: string) => {
        if (!sources.has(f)) {
          try {
            sources.set(f, readFileSync(f, 'utf8'));
          } catch {
            sources.set(f, undefined);
          }
        }
        return sources.get(f);
      };
      for (const d of error.diagnostics) eprintln(formatDiagnostic(d, d.file ? read(d.file) : undefined));
      if (error.diagnostics.length === 0 || error.code !== 'invalid-contract') {
        eprintln(`${colors.red('error')} ${error.message}`);
        if (error.hint) eprintln(`  ${colors.cyan('hint:')} ${error.hint}`);
      }
    }
    return error.exitCode;
  }
  // citty reports bad flags as CLIError (a plain Error with a code); treat them as usage errors.
  if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && error.name === 'CLIError') {
    return report(new FactoryFailure('usage', error.message, { exitCode: ExitCode.invalid }), json);
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  if (json) {
    printJson({
      ok: false,
      error: { code: 'internal', message: String(error), hint: `please report it: ${ISSUES_URL}` },
    });
  }
  eprintln(`${colors.red('internal error')} (a bug in factory ${version()}, not in your project)`);
  eprintln(detail);
  eprintln(`Please report it with the command you ran: ${ISSUES_URL}`);
  return ExitCode.internal;
}

let outputClosed = false;

/**
 * A closed stdout (the reader of a pipe went away) ends the command the way SIGPIPE ends
 * `git log | head`: quietly, with 141. A command that registered an interrupt handler
 * (src/lib/interrupt.ts: `start`, `logs -f`) stops what it started first, as on Ctrl-C; any other
 * command ends at once.
 */
function onOutputClosed(): void {
  outputClosed = true;
  if (!interruptForClosedOutput()) process.exit(ExitCode.outputClosed);
}

/**
 * Node prints its process warnings (MaxListenersExceededWarning, deprecations of a dependency) on
 * stderr, in the middle of a user's output; they are for factory's developers, not its users.
 * `FACTORY_DEBUG=1` shows them (tests that guard against leaks set it).
 */
function routeNodeWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (process.env.FACTORY_DEBUG) eprintln(`${colors.yellow('node warning')} ${warning.name}: ${warning.message}`);
  });
}

/** Entry point used by bin/factory.js. */
export async function main(argv: string[]): Promise<void> {
  routeNodeWarnings();
  watchClosedOutput(onOutputClosed);
  const code = await runCli(argv);
  process.exitCode = outputClosed ? ExitCode.outputClosed : code;
}
