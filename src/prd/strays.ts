/**
 * Processes a killed walker left behind in its worktree.
 *
 * A walker killed with SIGKILL cannot stop its agent: the agent runs in its own process group (so
 * Ctrl-C in the terminal reaches the walker, which stops it in order) and outlives its parent. When
 * the next walker takes over the stale lock, two agents would then edit one worktree. So on
 * takeover every process whose working directory is inside the PRD's worktree is killed first —
 * found through /proc/<pid>/cwd, which also sees through bwrap (it binds the worktree at the same
 * path). Two filters keep a person's own processes safe: only processes without a controlling
 * terminal (the agent loop starts agents in a new session; an interactive shell has a tty), and
 * only those started after the dead walker itself. Linux only; elsewhere this finds nothing.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface StrayFilter {
  /** Only processes started at or after this start time (clock ticks since boot, /proc/<pid>/stat field 22). */
  startedAfter?: string | null;
}

/** tty_nr and starttime of a process, from /proc/<pid>/stat. */
function statOf(pid: number): { tty: number; start: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { tty: Number(f[4]), start: Number(f[19]) };
  } catch {
    return undefined;
  }
}

export function processesIn(dir: string, filter: StrayFilter = {}): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const found: number[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue;
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cwd !== dir && !cwd.startsWith(prefix)) continue;
      const st = statOf(pid);
      if (st?.tty !== 0) continue;
      if (filter.startedAfter && st.start < Number(filter.startedAfter)) continue;
      found.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** SIGKILL every process working in `dir`, repeating until none is left (bounded); returns the pids killed. */
export async function killProcessesIn(dir: string, filter: StrayFilter = {}): Promise<number[]> {
  const killed: number[] = [];
  for (let round = 0; round < 50; round++) {
    const pids = processesIn(dir, filter);
    if (pids.length === 0) return killed;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        if (!killed.includes(pid)) killed.push(pid);
      } catch {
        // already gone
      }
    }
    // Let the kernel reap them before looking again (a zombie keeps its /proc entry but loses its cwd).
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return killed;
}
