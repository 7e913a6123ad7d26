import { readdirSync, readFileSync } from 'node:fs';

/**
 * Finding and killing a whole process tree on Linux.
 *
 * Every exec runs in its own process group, and killing the group (`kill(-pgid)`) reaches the
 * children that stayed in it. A grandchild that called `setsid()` (daemons, `setsid`, some dev
 * servers) leaves the group, so before killing we also walk /proc for every descendant by parent pid
 * and signal each one. Between the walk and the kill a new child can appear, so `killTree` repeats
 * until no descendant is left (bounded). With bwrap the pid namespace makes this moot: killing bwrap
 * kills pid 1 of the namespace and the kernel kills everything in it.
 */

/** Parent pid of `pid`, or undefined if it is gone. Field 4 of /proc/<pid>/stat, after the `(comm)`. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const afterComm = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(afterComm[1]);
    return Number.isFinite(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` (children, grandchildren, …), not including `root`. */
export function descendantsOf(root: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return []; // not Linux: the process-group kill is all we have
  }
  const children = new Map<number, number[]>();
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const ppid = parentOf(pid);
    if (ppid === undefined) continue;
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone (ESRCH) — that is the goal
  }
}

/** Sends `signal` to the process group led by `pid` and to every descendant found in /proc. */
export function signalTree(pid: number, signal: NodeJS.Signals): void {
  const descendants = descendantsOf(pid);
  signalQuietly(-pid, signal);
  signalQuietly(pid, signal);
  for (const child of descendants) signalQuietly(child, signal);
}

/** Alive and not a zombie (a zombie is dead; its parent just has not reaped it yet). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * After a kill: SIGKILL whatever of `pids` still runs and wait (bounded) until all are gone. The
 * descendants were captured when the kill started, because once the exec's own process has exited
 * its orphans can no longer be found by parent pid — and in a pid namespace the kernel tears the
 * rest down asynchronously. So a killed exec resolves only once its tree is really gone.
 */
export async function confirmGone(pids: number[], timeoutMs: number): Promise<void> {
  let left = pids.filter(running);
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    left = left.filter(running);
  }
}
