/**
 * The one wrapper around every process factory spawns for a service (docs/adr/0012).
 *
 *            start()                 'spawn'                      leader exits
 *   idle ─────────────▶ starting ─────────────▶ running ─────────────────────────▶ exited
 *                          │  ▲ stop() here is      │ stop()                          ▲
 *                          │  └ deferred until      ▼                                 │
 *                          │    'spawn', then ──▶ stopping: signal group+strays ──────┘
 *                          │                       → grace → SIGKILL group+strays
 *                          └── spawn 'error' (ENOENT …) ─────────────────────────────▶ exited
 *
 * Why each step:
 * - `detached: true` puts the service in its own process group (pgid = its pid), so one
 *   `kill(-pgid)` reaches the shell, the runtime it started and their children.
 * - A stop() that arrives while spawning (no pid yet) is remembered and applied on 'spawn':
 *   signalling a pid that does not exist yet would be lost and leave the process running.
 * - Grandchildren that called setsid() left the group; they are found by the marker variables
 *   FACTORY_INSTANCE/FACTORY_SERVICE every service inherits (see ./proc.ts `processesWithEnv`).
 * - `exited` is reached only after Node reaped the leader ('exit'), and stop() resolves only once
 *   no group member and no marked stray is left, so the caller can then check the ports are free.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { MARKER_INSTANCE, MARKER_REGISTRY, MARKER_SERVICE } from './markers.js';
import { machineStateDir } from './paths.js';
import { envOf, groupMembers, identityOf, processesWithEnv, signalIdentity, type ProcessIdentity } from './proc.js';

/** After SIGKILL, how long to wait for the kernel to reap before giving up (reported). */
const KILL_WAIT_MS = 5_000;
const SWEEP_POLL_MS = 10;
const CLOSE_WAIT_MS = 200;

export interface SpawnSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Marker values; also added to `env`. */
  instanceKey: string;
  service: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** spawn failure (ENOENT, EACCES …) */
  error?: string;
}

type State =
  | { kind: 'idle' }
  | { kind: 'starting'; child: ChildProcess; deferredStop?: { signal: NodeJS.Signals; graceMs: number } }
  | { kind: 'running'; child: ChildProcess; self: ProcessIdentity }
  | { kind: 'stopping'; child: ChildProcess; self: ProcessIdentity }
  | { kind: 'exited'; exit: Exit };

export interface ProcessEvents {
  onSpawn?: (self: ProcessIdentity) => void;
  onLine?: (stream: 'out' | 'err', line: string) => void;
  onExit?: (exit: Exit) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ManagedProcess {
  private state: State = { kind: 'idle' };
  private readonly exited: Promise<Exit>;
  /** true once the OS started the process ('spawn'), false when spawning failed. */
  readonly spawned: Promise<boolean>;
  private resolveSpawned!: (ok: boolean) => void;
  private resolveExit!: (e: Exit) => void;
  private stopping: Promise<Exit> | undefined;
  /** The leader's pid = its process group id; kept after exit to sweep what the group left. */
  pid: number | undefined;

  constructor(
    readonly spec: SpawnSpec,
    private readonly events: ProcessEvents = {},
  ) {
    this.exited = new Promise((r) => (this.resolveExit = r));
    this.spawned = new Promise((r) => (this.resolveSpawned = r));
  }

  get kind(): State['kind'] {
    return this.state.kind;
  }

  get identity(): ProcessIdentity | undefined {
    return this.state.kind === 'running' || this.state.kind === 'stopping' ? this.state.self : undefined;
  }

  /** Resolves when the leader has been reaped. */
  wait(): Promise<Exit> {
    return this.exited;
  }

  start(): void {
    if (this.state.kind !== 'idle') throw new Error(`start() in state ${this.state.kind}`);
    const env = {
      ...this.spec.env,
      [MARKER_INSTANCE]: this.spec.instanceKey,
      [MARKER_SERVICE]: this.spec.service,
      // The supervisor runs with the environment `start` leased with: its registry is this one.
      [MARKER_REGISTRY]: machineStateDir(),
    };
    const child = spawn(this.spec.file, this.spec.args, {
      cwd: this.spec.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.state = { kind: 'starting', child };
    this.pid = child.pid;
    this.pipeLines(child.stdout, 'out');
    this.pipeLines(child.stderr, 'err');
    child.once('spawn', () => {
      const st = this.state;
      if (st.kind !== 'starting') return;
      const self = identityOf(child.pid as number) ?? { pid: child.pid as number, startTime: -1 };
      this.state = { kind: 'running', child, self };
      this.events.onSpawn?.(self);
      this.resolveSpawned(true);
      if (st.deferredStop) void this.stop(st.deferredStop.signal, st.deferredStop.graceMs);
    });
    child.once('error', (err) => {
      // Only a spawn failure lands here before 'spawn'; later errors (kill on a dead pid) are ignored.
      if (this.state.kind === 'starting') this.finish({ code: null, signal: null, error: err.message });
    });
    // Prefer 'close' (every line of output delivered), but a grandchild holding the pipes open must
    // not hide the leader's exit: after 'exit', wait at most CLOSE_WAIT_MS for 'close'.
    child.once('exit', (code, signal) => {
      const timer = setTimeout(() => this.finish({ code, signal }), CLOSE_WAIT_MS);
      child.once('close', () => {
        clearTimeout(timer);
        this.finish({ code, signal });
      });
    });
  }

  private finish(exit: Exit): void {
    if (this.state.kind === 'exited') return;
    this.state = { kind: 'exited', exit };
    this.resolveSpawned(false);
    this.resolveExit(exit);
    this.events.onExit?.(exit);
  }

  private pipeLines(stream: NodeJS.ReadableStream | null, name: 'out' | 'err'): void {
    if (!stream) return;
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        this.events.onLine?.(name, buf.slice(0, i).replace(/\r$/, ''));
        buf = buf.slice(i + 1);
      }
    });
    stream.on('end', () => {
      if (buf) this.events.onLine?.(name, buf);
      buf = '';
    });
  }

  /** Processes marked as this service's that are still alive (setsid'd grandchildren included). */
  strays(): ProcessIdentity[] {
    return processesWithEnv(MARKER_INSTANCE, this.spec.instanceKey).filter((p) => {
      try {
        return envOf(p.pid, MARKER_SERVICE) === this.spec.service;
      } catch {
        return false;
      }
    });
  }

  /**
   * Stop in stages: `signal` to the group and to marked strays → up to `graceMs` for all of them to
   * go → SIGKILL to whatever is left → wait until reaped. Idempotent; resolves with the leader's exit.
   */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<Exit> {
    const st = this.state;
    if (st.kind === 'idle') {
      this.finish({ code: null, signal: null, error: 'stopped before start' });
      return this.exited;
    }
    if (st.kind === 'starting') {
      st.deferredStop = { signal, graceMs };
      return this.exited;
    }
    if (st.kind === 'exited') return this.sweep(signal, graceMs).then(() => st.exit);
    if (st.kind === 'stopping') return this.stopping ?? this.exited;
    this.state = { kind: 'stopping', child: st.child, self: st.self };
    this.stopping = this.sweep(signal, graceMs).then(() => this.exited);
    return this.stopping;
  }

  /** Signal, wait, kill everything of this service (group + strays). Also used after an unexpected exit. */
  async sweep(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const pgid = this.pid;
    const left = () => [...(pgid ? groupMembers(pgid) : []), ...this.strays()];
    let procs = left();
    const leaderAlive = this.state.kind === 'stopping';
    if (procs.length === 0 && !leaderAlive) return;
    if (pgid) killGroup(pgid, signal);
    for (const p of procs) signalIdentity(p, signal);
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      procs = left();
      if (procs.length === 0 && this.state.kind === 'exited') return;
      await sleep(SWEEP_POLL_MS);
    }
    const killDeadline = Date.now() + KILL_WAIT_MS;
    do {
      if (pgid) killGroup(pgid, 'SIGKILL');
      for (const p of left()) signalIdentity(p, 'SIGKILL');
      await sleep(SWEEP_POLL_MS);
    } while ((left().length > 0 || this.state.kind !== 'exited') && Date.now() < killDeadline);
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is empty
  }
}
