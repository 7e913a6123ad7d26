/**
 * How jobs look on a terminal: one line per event (the notifier's terminal subscriber), and the
 * summary `job show` prints. Produced by the store, rendered here (STYLE 7).
 */
import type { Job, JobEvent, JobManifest } from '../../jobs/index.js';
import { colors } from '../../lib/output.js';

const STATE_COLOR: Partial<Record<Job['state'], (s: string) => string>> = {
  failed: colors.red,
  cancelled: colors.yellow,
  awaiting_approval: colors.yellow,
  ready_for_human_review: colors.green,
  merged: colors.green,
  closed: colors.dim,
};

export function stateText(state: Job['state']): string {
  return (STATE_COLOR[state] ?? colors.cyan)(state);
}

export function eventLine(e: JobEvent, withJob = false): string {
  const t = colors.dim(e.at.slice(11, 19));
  const who = withJob ? `${colors.dim(e.jobId)} ` : '';
  switch (e.type) {
    case 'transition':
      return `${t} ${who}${colors.bold('→')} ${stateText(e.to)} ${colors.dim(`[${e.role}${e.round > 1 ? `, round ${e.round}` : ''}${e.attempt > 1 ? `, attempt ${e.attempt}` : ''}]`)} ${e.message}`;
    case 'attempt':
      return `${t} ${who}${colors.yellow('!')} ${e.message}`;
    case 'control':
      return `${t} ${who}${colors.dim('·')} ${e.message}`;
    case 'progress':
      return `${t} ${who}  ${colors.dim(e.message)}`;
  }
}

const dur = (ms: number) =>
  ms < 1000
    ? `${ms} ms`
    : ms < 60_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

function usageText(u: JobManifest['usage']['total']): string {
  const prompt = u.input === undefined && u.cacheRead === undefined ? undefined : (u.input ?? 0) + (u.cacheRead ?? 0);
  return (
    [
      prompt !== undefined ? `${prompt} tokens in` : '',
      u.output !== undefined ? `${u.output} out` : '',
      u.costUsd !== undefined ? `$${u.costUsd.toFixed(4)}` : '',
    ]
      .filter(Boolean)
      .join(', ') || 'not reported'
  );
}

export function manifestLines(m: JobManifest): string[] {
  const out = [
    `${colors.bold(m.id)} ${stateText(m.state)}${m.stoppedAt ? colors.dim(` (stopped at ${m.stoppedAt})`) : ''}`,
    `  ${m.title}`,
    `  repo ${m.repo}, branch ${m.branch} from ${m.base}`,
    `  roles: planner ${m.roles.planner.agent}, builder ${m.roles.builder.agent}, reviewer ${m.roles.reviewer.agent}${m.roles.reviewer.model ? ` (${m.roles.reviewer.model})` : ''}`,
  ];
  if (m.plan) out.push(`  plan: ${m.plan.summary} (risk ${m.plan.risk})`);
  for (const r of m.rounds) {
    const parts = [
      r.build ? `build ${r.build.status} (${r.build.commits.length} commit(s))` : '',
      r.tests ? `tests ${r.tests.ok ? 'passed' : 'failed'}` : '',
      r.validation ? `browser ${r.validation.ok ? 'passed' : 'failed'}` : '',
      r.review ? `review ${r.review.verdict.verdict}` : '',
    ].filter(Boolean);
    out.push(`  round ${r.round} (${r.reason}): ${parts.join(', ') || 'in progress'}`);
  }
  if (m.diff) out.push(`  changed: ${m.diff.files.map((f) => f.path).join(', ') || 'nothing'}`);
  if (m.preview)
    out.push(
      `  preview ${m.preview.up ? colors.green('up') : 'stopped'}: ${Object.entries(m.preview.urls)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  if (m.approval)
    out.push(
      `  approval: ${m.approval.matched.join(', ') || 'no gated files'}${m.approval.approvedAt ? ` — approved by ${m.approval.approvedBy}` : m.state === 'awaiting_approval' ? colors.yellow(` — run: factory job approve ${m.id}`) : ''}`,
    );
  if (m.reviewRequest) out.push(`  review: ${m.reviewRequest.url}`);
  if (m.failure) {
    out.push(
      colors.red(`  failed at ${m.failure.state} (${m.failure.stage}, ${m.failure.code}): ${m.failure.message}`),
    );
    if (m.failure.hint) out.push(`  ${colors.cyan('hint:')} ${m.failure.hint}`);
    if (m.failure.logTail)
      out.push(
        ...m.failure.logTail
          .split('\n')
          .slice(-15)
          .map((l) => colors.dim(`    │ ${l}`)),
      );
  }
  if (m.cleanup) {
    const c = m.cleanup;
    out.push(
      `  cleanup: agent ${c.agentStopped ? 'stopped' : 'NOT stopped'}, instance ${c.instanceStopped ? 'stopped' : 'NOT stopped'}, ports ${c.portsReleased ? 'free' : 'STILL BOUND'}${c.worktreeKept ? `, worktree kept at ${c.worktreeKept}` : ''}`,
    );
  }
  out.push(`  cost: ${usageText(m.usage.total)}`);
  out.push('  timeline:');
  for (const t of m.timeline)
    out.push(
      `    ${t.at.slice(11, 19)} ${t.to.padEnd(27)} ${colors.dim(`${t.role.padEnd(18)} ${dur(t.durationMs).padStart(10)}`)}`,
    );
  return out;
}

/** A worker's line about the job store going away (`error`) or answering again (`null`). */
export function storeOutageLine(location: string, error: unknown, retryInMs: number): string {
  if (error === null) return colors.green(`job store ${location} answers again`);
  const why = error instanceof Error ? error.message : String(error);
  return `${colors.yellow('job store unreachable')} (${why}); asking again in ${retryInMs / 1000}s`;
}
