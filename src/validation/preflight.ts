/**
 * The validation's own health, checked before a browser starts: is the instance running, are the
 * services each scenario needs ready, and does each start URL answer? Each "no" is an exit-3
 * failure that says what to run next, instead of a step timing out thirty seconds later.
 */
import type { Scenario } from '../contract/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';

/** How long a start URL may take to answer the preflight request. */
const ANSWER_TIMEOUT_MS = 5_000;

/** What validation needs to know about an instance (src/services owns the real thing). */
export interface InstanceView {
  worktreeId: string;
  /** False when no supervisor runs for it (never started, stopped, or died). */
  running: boolean;
  /** The runtime's phase word (`running`, `degraded`, `stopped`, `not-started`, `supervisor-dead`, …). */
  phase: string;
  /** Service → state word from the runtime (`ready`, `completed`, `starting`, `failed`, …). */
  services: Record<string, string>;
  urls: Record<string, string>;
  env: Record<string, string>;
}

/** States in which a needed service counts as available. */
const AVAILABLE = new Set(['ready', 'healthy', 'running', 'completed']);

function startHint(instance: { worktreeId: string }, file?: string): string {
  return `start it with: factory start --worktree-id ${instance.worktreeId}${file ? ` -f ${file}` : ''}`;
}

/** Why an instance is not running, in words (`phase` as the runtime reports it). */
function why(phase: string | undefined): string {
  switch (phase) {
    case undefined:
    case 'not-started':
      return '';
    case 'supervisor-dead':
      return ' (its supervisor died)';
    default:
      return ` (${phase})`;
  }
}

export function notRunning(worktreeId: string, file?: string, phase?: string): FactoryFailure {
  return new FactoryFailure(
    'instance-not-running',
    `instance "${worktreeId}" is not running${why(phase)}, so there is no app to validate`,
    {
      exitCode: ExitCode.unavailable,
      hint:
        phase === 'supervisor-dead'
          ? `clean up and restart: factory stop --worktree-id ${worktreeId} && factory start --worktree-id ${worktreeId}${file ? ` -f ${file}` : ''}`
          : startHint({ worktreeId }, file),
      details: { worktreeId, phase: phase ?? 'not-started' },
    },
  );
}

export function checkNeeds(instance: InstanceView, scenarios: Scenario[], file?: string): void {
  for (const s of scenarios) {
    const needs = s.needs.length > 0 ? s.needs : Object.keys(instance.services);
    const down = needs.filter((n) => !AVAILABLE.has(instance.services[n] ?? 'absent'));
    if (down.length === 0) continue;
    const states = down.map((n) => `${n} is ${instance.services[n] ?? 'not started'}`).join(', ');
    throw new FactoryFailure('service-not-ready', `scenario "${s.name}" needs ${down.join(', ')}, but ${states}`, {
      exitCode: ExitCode.unavailable,
      hint: `see "factory status --worktree-id ${instance.worktreeId}" and its logs, or restart: ${startHint(instance, file).replace('start it with: ', '')}`,
      details: {
        worktreeId: instance.worktreeId,
        services: Object.fromEntries(down.map((n) => [n, instance.services[n] ?? null])),
      },
    });
  }
}

/** Any HTTP answer counts (a 500 page is still a page to look at); no answer is a failure. */
export async function checkAnswers(url: string, worktreeId: string, file?: string): Promise<void> {
  let reason: string;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS), redirect: 'manual' });
    await res.body?.cancel();
    return;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${ANSWER_TIMEOUT_MS} ms`
        : (cause?.code ?? cause?.message ?? String(error));
  }
  throw new FactoryFailure('url-not-answering', `the instance's start URL ${url} does not answer (${reason})`, {
    exitCode: ExitCode.unavailable,
    hint: `check "factory status --worktree-id ${worktreeId}"; if it is down, ${startHint({ worktreeId }, file)}`,
    details: { worktreeId, url },
  });
}
