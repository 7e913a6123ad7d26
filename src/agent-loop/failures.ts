/**
 * How an iteration's end becomes a run failure, and how any failure gets the facts a user needs to
 * pick up from there (kept worktree, branch, session id, log).
 */
import { ExitCode, FactoryFailure, isFactoryFailure } from '../lib/failure.js';
import type { IterationOutcome } from './iteration.js';

export interface RunFacts {
  name: string;
  worktreePath?: string;
  branch?: string;
  sessionId?: string;
  logPath?: string;
  iterations: number;
}

/** Re-throwable failure with the run's facts merged into `details` (worktree kept, session id…). */
export function withRunFacts(error: unknown, facts: RunFacts, aborted: boolean): FactoryFailure {
  const base: FactoryFailure = aborted
    ? new FactoryFailure('aborted', 'the run was aborted; the agent and its processes were stopped', {
        exitCode: ExitCode.interrupted,
      })
    : isFactoryFailure(error)
      ? error
      : new FactoryFailure('internal', error instanceof Error ? error.message : String(error), {
          exitCode: ExitCode.internal,
        });
  const keep = facts.worktreePath ? `the worktree is kept: ${facts.worktreePath}` : undefined;
  const hint = [base.hint, keep, facts.logPath ? `log: ${facts.logPath}` : undefined].filter(Boolean).join('\n  ');
  const failure = new FactoryFailure(base.code, base.message, {
    exitCode: base.exitCode,
    diagnostics: base.diagnostics,
    ...(hint ? { hint } : {}),
    details: {
      ...(base.details ?? {}),
      run: facts.name,
      worktreePath: facts.worktreePath ?? null,
      branch: facts.branch ?? null,
      sessionId: facts.sessionId ?? null,
      logPath: facts.logPath ?? null,
      iterations: facts.iterations,
    },
  });
  if (base.stack) failure.stack = base.stack;
  return failure;
}

const LAST_WORDS_CHARS = 2000;

function lastLines(text: string, n: number): string {
  const lines = text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
  return lines.slice(-n).join('\n');
}

/**
 * Why an agent that exited non-zero says it failed, in its own words, best source first: what its
 * stream reported as an error (an error event, an error result), its stderr, stdout lines no parser
 * understood (a plain-text error), its last text. Empty when it said nothing at all.
 */
export function lastWords(o: IterationOutcome): string {
  const said =
    o.lastErrorSaid?.trim() ||
    lastLines(o.stderrTail, 3) ||
    lastLines(o.rawTail.join('\n'), 3) ||
    lastLines(o.resultText ?? o.text, 3);
  return said.length > LAST_WORDS_CHARS ? `…${said.slice(-LAST_WORDS_CHARS)}` : said;
}

/** The failure for an iteration that did not end well, or undefined when the loop may go on. */
export function iterationFailure(o: IterationOutcome, agent: string, idleSeconds: number): FactoryFailure | undefined {
  if (o.lastError?.code === 'authentication_failed') {
    return new FactoryFailure('agent-not-logged-in', `the ${agent} CLI is not logged in: ${o.lastError.message}`, {
      exitCode: ExitCode.unavailable,
      hint:
        agent === 'claude-code'
          ? 'run `claude` once and /login, or set ANTHROPIC_API_KEY'
          : `log the ${agent} CLI in, or pass its API key in the environment`,
    });
  }
  switch (o.reason) {
    case 'aborted':
      return new FactoryFailure('aborted', 'the run was aborted; the agent and its processes were stopped', {
        exitCode: ExitCode.interrupted,
      });
    case 'idle-timeout':
      return new FactoryFailure(
        'agent-idle-timeout',
        `the agent printed nothing for ${idleSeconds} s; its process tree was stopped`,
        {
          exitCode: ExitCode.failed,
          hint: 'raise --idle-timeout if the agent legitimately works silently that long',
          details: { lastError: o.lastError?.message ?? null },
        },
      );
    case 'failed': {
      if (/execvp .*: No such file or directory|Cannot start .*ENOENT/.test(o.stderrTail)) {
        return new FactoryFailure(
          'agent-missing-in-sandbox',
          `the ${agent} CLI is installed on the host but not visible inside the sandbox: ${o.stderrTail.trim().split('\n').pop() ?? ''}`,
          {
            exitCode: ExitCode.unavailable,
            hint: 'mount its directory into the sandbox (--mount /path/to/bin:ro), or install it where the sandbox sees it (/usr/local/bin)',
          },
        );
      }
      const said = lastWords(o);
      return new FactoryFailure(
        'agent-failed',
        `the agent exited with code ${String(o.exitCode)}${said ? `: ${said}` : ''}`,
        {
          exitCode: ExitCode.failed,
          details: { exitCode: o.exitCode, stderrTail: o.stderrTail, lastWords: said || null },
        },
      );
    }
    case 'exited':
    case 'completion-signal':
    case 'hung-after-completion':
      return undefined;
  }
}
