/** Human rendering of an instance's status (`status`, the end of `start`). Light: `status` imports it. */
import { colors, println } from '../../lib/output.js';
import type { InstanceStatus, ServiceStatus } from '../../services/read.js';

function stateColor(s: ServiceStatus): string {
  const text = s.health === 'unhealthy' ? `${s.state} (unhealthy)` : s.state;
  if (s.state === 'ready' && s.health !== 'unhealthy') return colors.green(text);
  if (s.state === 'completed') return colors.green(text);
  if (s.state === 'failed' || s.state === 'blocked' || s.health === 'unhealthy') return colors.red(text);
  return colors.yellow(text);
}

export function phaseLine(st: InstanceStatus): string {
  const sup = st.supervisor;
  switch (st.phase) {
    case 'not-started':
      return `instance ${st.worktreeId}: not started`;
    case 'supervisor-dead':
      return `instance ${st.worktreeId}: ${colors.red(`supervisor (pid ${sup?.pid}) is not running`)} — it was killed or crashed${
        st.orphans.length
          ? `; ${st.orphans.length} process(es) of it still alive (pids ${st.orphans.map((o) => o.pid).join(', ')})`
          : ''
      }. Run "factory stop" to reap them.`;
    default:
      return `instance ${st.worktreeId}: ${st.running ? st.phase : `${st.phase} (not running)`}${sup && st.running ? colors.dim(` — supervisor pid ${sup.pid}`) : ''}`;
  }
}

export function renderStatus(st: InstanceStatus): void {
  println(phaseLine(st));
  if (st.services.length === 0) return;
  const w = Math.max(...st.services.map((s) => s.name.length));
  for (const s of st.services) {
    const ports = Object.entries(s.ports)
      .map(([n, p]) => `${n}=${p}`)
      .join(' ');
    const parts = [
      s.name.padEnd(w),
      stateColor(s),
      s.pid !== null ? `pid ${s.pid}` : '',
      ports,
      s.url ?? '',
      st.stableUrls[s.name] ? colors.cyan(st.stableUrls[s.name] ?? '') : '',
      s.restarts ? colors.yellow(`restarts ${s.restarts}`) : '',
      s.exitCode !== null && s.state !== 'ready' ? `exit ${s.exitCode}` : '',
    ].filter(Boolean);
    println(`  ${parts.join('  ')}`);
    if (s.check && s.lastCheck && (!s.lastCheck.ok || s.health === 'unhealthy'))
      println(colors.dim(`    ${s.check}: ${s.lastCheck.detail}`));
    if (s.error && (s.state === 'failed' || s.state === 'blocked')) println(colors.red(`    ${s.error}`));
  }
  if (st.compose) {
    const e = st.compose.engine;
    println(
      colors.dim(
        `  compose: ${st.compose.name} ${st.compose.version}${e ? ` on ${e.name} ${e.version} (${e.endpoint})` : ''}`,
      ),
    );
  }
  if (st.error && !st.running) println(colors.red(`last start failed: ${st.error.message}`));
}

/** 0: every service ready/completed and healthy; 1: running but not all healthy; 3: not running. */
export function statusExitCode(st: InstanceStatus | undefined): number {
  if (!st?.running) return 3;
  return st.healthy ? 0 : 1;
}
