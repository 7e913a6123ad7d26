/**
 * Expected failures are values; bugs are exceptions.
 *
 * A `FactoryFailure` is how any layer reports a failure the user can act on (a bad contract, an
 * instance that is not running, a port held by another process). It is branded rather than checked
 * with `instanceof`, so it survives duplicate module copies. `src/cli.ts` is the one place that turns
 * it into output and an exit code; anything else that escapes is an internal error.
 */

/** Documented exit codes (docs/commands.md). */
export const ExitCode = {
  ok: 0,
  /** The command ran and its subject failed: tests failed, a service is unhealthy, validation failed. */
  failed: 1,
  /** The input is wrong: invalid contract, bad flag, unknown command. */
  invalid: 2,
  /** A precondition outside the input is not met: instance not running, binary missing, port held. */
  unavailable: 3,
  /** A bug in factory itself (EX_SOFTWARE). */
  internal: 70,
  /** Interrupted by SIGINT. */
  interrupted: 130,
  /** The reader of stdout went away (`factory ps | head -1`): 128 + SIGPIPE, as `git log | head` ends. */
  outputClosed: 141,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** One located problem. `file`/`line`/`column` are 1-based and present when the problem has a source. */
export interface Diagnostic {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  hint?: string;
  file?: string;
  line?: number;
  column?: number;
  /** Last column (exclusive) of the marked span on `line`; defaults to column + 1. */
  endColumn?: number;
}

const BRAND = Symbol.for('software-factory.failure');

export interface FailureOptions {
  hint?: string;
  exitCode?: ExitCode;
  diagnostics?: Diagnostic[];
  /** Extra structured facts for `--json` output (service name, pid, log tail, …). */
  details?: Record<string, unknown>;
}

export class FactoryFailure extends Error {
  readonly [BRAND] = true;
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;
  readonly diagnostics: Diagnostic[];
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: FailureOptions = {}) {
    super(message);
    this.name = 'FactoryFailure';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.failed;
    this.diagnostics = options.diagnostics ?? [];
    this.details = options.details;
  }
}

export function isFactoryFailure(value: unknown): value is FactoryFailure {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
