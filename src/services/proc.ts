/**
 * Linux /proc readers: process identity (pid + start time, so a recycled pid is never mistaken for
 * the process factory started), process groups, marked strays and the owner of a listening port.
 * Light on purpose (node:fs only): `status` uses `processAlive`.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A process as factory recorded it. `startTime` is /proc/<pid>/stat field 22 (clock ticks since boot). */
export interface ProcessIdentity {
  pid: number;
  startTime: number;
}

interface StatFields {
  state: string;
  ppid: number;
  pgid: number;
  startTime: number;
}

function readStat(pid: number): StatFields | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm (field 2) may hold spaces and parentheses: fields after the LAST ')' are fixed.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  return { state: rest[0] ?? '?', ppid: Number(rest[1]), pgid: Number(rest[2]), startTime: Number(rest[19]) };
}

/** Start time of a live pid, or undefined when it does not exist (or is a zombie). */
export function startTimeOf(pid: number): number | undefined {
  const s = readStat(pid);
  if (!s || s.state === 'Z' || s.state === 'X') return undefined;
  return s.startTime;
}

export function identityOf(pid: number): ProcessIdentity | undefined {
  const startTime = startTimeOf(pid);
  return startTime === undefined ? undefined : { pid, startTime };
}

/** True when this exact process (same pid AND same start time) is still alive. */
export function processAlive(p: ProcessIdentity | undefined): boolean {
  if (!p || !Number.isInteger(p.pid) || p.pid <= 0) return false;
  return startTimeOf(p.pid) === p.startTime;
}

function allPids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const n = Number(name);
    if (Number.isInteger(n) && n > 0) out.push(n);
  }
  return out;
}

/** Live (non-zombie) members of a process group. */
export function groupMembers(pgid: number): ProcessIdentity[] {
  const out: ProcessIdentity[] = [];
  for (const pid of allPids()) {
    const s = readStat(pid);
    if (s && s.pgid === pgid && s.state !== 'Z' && s.state !== 'X') out.push({ pid, startTime: s.startTime });
  }
  return out;
}

/**
 * Live processes whose initial environment holds `name=value`. Every service factory starts gets
 * FACTORY_INSTANCE=<key> (and FACTORY_SERVICE=<name>), which its children inherit — including ones
 * that `setsid` out of the service's process group, which a group kill or tree-kill (a walk of the
 * parent links, broken once the middle process exits) cannot find. See docs/adr/0012.
 */
export function processesWithEnv(name: string, value: string | ((v: string) => boolean)): ProcessIdentity[] {
  const needle = Buffer.from(`${name}=`);
  const out: ProcessIdentity[] = [];
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    let env: Buffer;
    try {
      env = readFileSync(`/proc/${pid}/environ`);
    } catch {
      continue;
    }
    let start = 0;
    while (start < env.length) {
      let end = env.indexOf(0, start);
      if (end < 0) end = env.length;
      if (env.subarray(start, start + needle.length).equals(needle)) {
        const v = env.subarray(start + needle.length, end).toString();
        if (typeof value === 'string' ? v === value : value(v)) {
          const st = startTimeOf(pid);
          if (st !== undefined) out.push({ pid, startTime: st });
        }
        break;
      }
      start = end + 1;
    }
  }
  return out;
}

/** The value of one variable in a process's initial environment. */
export function envOf(pid: number, name: string): string | undefined {
  let env: string;
  try {
    env = readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return undefined;
  }
  const prefix = `${name}=`;
  for (const kv of env.split('\0')) if (kv.startsWith(prefix)) return kv.slice(prefix.length);
  return undefined;
}

/** LISTEN sockets by port (any address), from /proc/net/tcp{,6}: port → socket inodes. */
function listeningSockets(): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      // st 0A = LISTEN; cols[9] is the socket inode.
      if (!local || cols[3] !== '0A' || !cols[9]) continue;
      const port = Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
      const set = out.get(port) ?? new Set<string>();
      set.add(cols[9]);
      out.set(port, set);
    }
  }
  return out;
}

/** Ports some socket listens on (one read of /proc/net/tcp{,6}). */
export function listeningPorts(): Set<number> {
  return new Set(listeningSockets().keys());
}

/** Pids holding a LISTEN socket on `port` (any address), found via /proc/net/tcp{,6} inodes → /proc/<pid>/fd. */
export function listenersOf(port: number): number[] {
  const inodes = listeningSockets().get(port);
  if (!inodes) return [];
  const targets = new Set([...inodes].map((i) => `socket:[${i}]`));
  const out: number[] = [];
  for (const pid of allPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (targets.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) {
          out.push(pid);
          break;
        }
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return out;
}

/** Command line of a pid, for messages ("port 20001 is held by pid 123 (python3 -m http.server)"). */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') || undefined;
  } catch {
    return undefined;
  }
}

/** Send a signal to this exact process; false when it is gone or was recycled. */
export function signalIdentity(p: ProcessIdentity, signal: NodeJS.Signals): boolean {
  if (!processAlive(p)) return false;
  try {
    process.kill(p.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** This process's pid namespace (`pid:[4026531836]`), or undefined where /proc does not say. */
export function currentPidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}
